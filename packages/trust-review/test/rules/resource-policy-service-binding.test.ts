import { describe, expect, it } from 'vitest';
import { resourcePolicyServiceBinding } from '../../src/rules/resource-policy-service-binding.js';
import { resourcePolicy, surfaceOf } from './surface.js';

const grant = (Condition?: Record<string, Record<string, string>>) => ({
  Effect: 'Allow' as const,
  Principal: { Service: 'delivery.logs.amazonaws.com' },
  Action: 'kms:Decrypt*',
  Resource: '*',
  ...(Condition ? { Condition } : {}),
});
const check = (statement: ReturnType<typeof grant>) =>
  resourcePolicyServiceBinding.check(
    surfaceOf({ resourcePolicies: [resourcePolicy('orchestrator', 'AWS::KMS::Key', 'Key', [statement])] }),
  );

describe('resource-policy-service-binding', () => {
  it('is compliant when the service principal is bound to the account', () => {
    expect(check(grant({ StringEquals: { 'aws:SourceAccount': '111111111111' } }))).toEqual([
      { account: 'orchestrator', subject: 'AWS::KMS::Key Key', compliance: 'compliant' },
    ]);
  });

  it('fails a service principal with no binding condition', () => {
    expect(check(grant())).toEqual([
      {
        account: 'orchestrator',
        subject: 'AWS::KMS::Key Key',
        compliance: 'non-compliant',
        message: 'allows delivery.logs.amazonaws.com kms:Decrypt* without aws:SourceAccount or aws:SourceArn',
      },
    ]);
  });
});
