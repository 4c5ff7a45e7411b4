import { describe, expect, it } from 'vitest';
import { crossAccountTrust } from '../../src/rules/cross-account-trust.js';
import { role, statesTrust, surfaceOf, targetTrust } from './surface.js';

const check = (trust: typeof targetTrust) =>
  crossAccountTrust.check(surfaceOf({ roles: [role('sandbox', 'target', [trust])] }));
const nonCompliant = (message: string) => ({
  account: 'sandbox',
  subject: 'role target',
  compliance: 'non-compliant',
  message,
});

describe('cross-account-trust', () => {
  it('is compliant for the orchestrator root bound by PrincipalArn and the exact ExternalId', () => {
    expect(check(targetTrust)).toEqual([{ account: 'sandbox', subject: 'role target', compliance: 'compliant' }]);
  });

  it('does not apply to a role without a principal of another account', () => {
    expect(crossAccountTrust.check(surfaceOf({ roles: [role('orchestrator', 'exec', [statesTrust])] }))).toEqual([
      { account: 'orchestrator', subject: 'role exec', compliance: 'not-applicable' },
    ]);
  });

  it('fails without sts:ExternalId', () => {
    expect(check({ ...targetTrust, Condition: { ArnEquals: targetTrust.Condition!.ArnEquals! } })).toEqual([
      nonCompliant('cross-account trust without sts:ExternalId'),
    ]);
  });

  it('fails on the orchestrator root without ArnEquals aws:PrincipalArn', () => {
    expect(check({ ...targetTrust, Condition: { StringEquals: targetTrust.Condition!.StringEquals! } })).toEqual([
      nonCompliant(
        'trusts account root arn:aws:iam::111111111111:root without ArnEquals aws:PrincipalArn = arn:aws:iam::111111111111:role/airlock-example-orchestrator',
      ),
    ]);
  });

  it('fails on another principal of another account', () => {
    expect(check({ ...targetTrust, Principal: { AWS: 'arn:aws:iam::999999999999:role/x' } })).toEqual([
      nonCompliant('trusts arn:aws:iam::999999999999:role/x, which is not the orchestrator execution role'),
    ]);
  });

  it("fails on another state machine's ExternalId", () => {
    const other = 'arn:aws:states:eu-west-1:111111111111:stateMachine:other';
    expect(
      check({
        ...targetTrust,
        Condition: { ...targetTrust.Condition, StringEquals: { 'sts:ExternalId': other } },
      }),
    ).toEqual([
      nonCompliant(
        `sts:ExternalId is "${other}", not the analysis state machine arn:aws:states:eu-west-1:111111111111:stateMachine:airlock-example-analysis`,
      ),
    ]);
  });
});
