import type { Guardrail } from '@airlock/shared/organization-guardrails';
import type { Statement } from '@airlock/cloud-assembly';
import { describeStatement } from './describe-policy.js';

/** The file a guardrail is written to, beside the report; its content is exactly what Organizations stores. */
export const guardrailFileName = (guardrail: Guardrail): string => `${guardrail.name}.json`;

/** Each statement in words, after its Sid: `DenyTestState: Deny states:TestState on *`. */
export const guardrailLines = (guardrail: Guardrail): string[] =>
  guardrail.document.Statement.map(
    (st) =>
      `${st.Sid}: ${describeStatement(st as unknown as Statement)}${guardrail.kind === 'RCP' ? ' (to any principal)' : ''}`,
  );
