import {
  guardrailText,
  ORGANIZATION_POLICY_MAX_CHARACTERS,
  type Guardrail,
} from '@airlock/shared/organization-guardrails';
import type { Finding } from './rules/index.js';

/** A guardrail Organizations would refuse (over its size limit) is a finding: it would never be attached. */
export const guardrailFindings = (guardrails: readonly Guardrail[]): Finding[] =>
  guardrails
    .filter((g) => guardrailText(g).length > ORGANIZATION_POLICY_MAX_CHARACTERS)
    .map((g) => ({
      rule: 'guardrail-size',
      account: g.account,
      subject: `${g.kind} ${g.name}`,
      message: `is ${guardrailText(g).length} characters, over Organizations' limit of ${ORGANIZATION_POLICY_MAX_CHARACTERS}. Fix: split it into two policies or shorten its action lists`,
    }));
