import { describe, expect, it } from 'vitest';
import { noCrossAccountResourcePolicy } from '../../src/rules/no-cross-account-resource-policy.js';
import { resourcePolicy, surfaceOf } from './surface.js';

const keyPolicy = (principal: string) =>
  surfaceOf({
    resourcePolicies: [
      resourcePolicy('data', 'AWS::KMS::Key', 'Key', [
        { Effect: 'Allow', Principal: { AWS: principal }, Action: 'kms:*', Resource: '*' },
      ]),
    ],
  });

describe('no-cross-account-resource-policy', () => {
  it("is compliant for a grant to the policy's own account", () => {
    expect(noCrossAccountResourcePolicy.check(keyPolicy('arn:aws:iam::333333333333:root'))).toEqual([
      { account: 'data', subject: 'AWS::KMS::Key Key', compliance: 'compliant' },
    ]);
  });

  it('fails for a grant to another account', () => {
    expect(noCrossAccountResourcePolicy.check(keyPolicy('arn:aws:iam::222222222222:root'))).toEqual([
      {
        account: 'data',
        subject: 'AWS::KMS::Key Key',
        compliance: 'non-compliant',
        message: 'grants arn:aws:iam::222222222222:root (another account)',
      },
    ]);
  });
});
