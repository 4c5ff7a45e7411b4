import { describe, expect, it } from 'vitest';
import {
  guardrailText,
  organizationGuardrails,
  ORGANIZATION_POLICY_MAX_CHARACTERS,
} from '../src/organization-guardrails.js';
import { parseEnvironment } from '../src/index.js';
import { exampleEnv, exampleFile } from './example-environment.js';

// The longest names an environment may have (the data bucket's 63 characters cap prefix and environment together).
const longest = parseEnvironment(
  'abcdefghi',
  { ...exampleFile, prefix: 'abcdefghijklmnopqrst', region: 'ap-southeast-2' },
  'longest.json',
);

describe('organizationGuardrails', () => {
  it.each([
    ['the example environment', exampleEnv],
    ['the longest prefix, environment and region', longest],
  ])('fit Organizations’ size limit for %s', (_what, env) => {
    for (const guardrail of organizationGuardrails(env))
      expect(guardrailText(guardrail).length, guardrail.name).toBeLessThanOrEqual(ORGANIZATION_POLICY_MAX_CHARACTERS);
  });

  it('are one SCP per account and one RCP for the data account, every statement a Deny, RCP principals "*"', () => {
    const guardrails = organizationGuardrails(exampleEnv);
    expect(guardrails.map((g) => [g.kind, g.account, g.name])).toEqual([
      ['SCP', 'sandbox', 'airlock-example-sandbox-scp'],
      ['SCP', 'orchestrator', 'airlock-example-orchestrator-scp'],
      ['SCP', 'data', 'airlock-example-data-scp'],
      ['RCP', 'data', 'airlock-example-data-rcp'],
    ]);
    for (const g of guardrails)
      for (const st of g.document.Statement) {
        expect(st.Effect).toBe('Deny');
        expect(st.Principal).toBe(g.kind === 'RCP' ? '*' : undefined);
      }
  });

  it("admit the organization from the environment's config", () => {
    const rcp = organizationGuardrails(exampleEnv).find((g) => g.kind === 'RCP')!;
    expect(guardrailText(rcp)).toContain('"aws:PrincipalOrgID":"o-exampleorgid"');
  });
});
