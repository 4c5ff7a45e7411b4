import { describe, expect, it } from 'vitest';
import { resourcePolicyServiceBinding } from '../../src/rules/resource-policy-service-binding.js';
import { resourcePolicy, surfaceOf } from './surface.js';

const grant = (Condition?: Record<string, Record<string, string | string[]>>) => ({
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

  it('is compliant for an ARN of this account, also as an ArnLike pattern', () => {
    expect(check(grant({ ArnLike: { 'aws:SourceArn': 'arn:aws:logs:eu-west-1:111111111111:log-group:*' } }))).toEqual([
      expect.objectContaining({ compliance: 'compliant' }),
    ]);
  });

  it.each([
    [
      'a foreign account',
      { StringEquals: { 'aws:SourceAccount': '999999999999' } },
      'with aws:SourceAccount ["999999999999"], not this account (111111111111)',
    ],
    [
      'this account and a foreign one',
      { StringEquals: { 'aws:SourceAccount': ['111111111111', '999999999999'] } },
      'with aws:SourceAccount ["999999999999"], not this account (111111111111)',
    ],
    [
      'any account',
      { StringLike: { 'aws:SourceAccount': '*' } },
      'with aws:SourceAccount ["*"], not this account (111111111111)',
    ],
    [
      "another account's resource",
      { ArnLike: { 'aws:SourceArn': 'arn:aws:logs:eu-west-1:999999999999:*' } },
      'with aws:SourceArn ["arn:aws:logs:eu-west-1:999999999999:*"], not this account (111111111111)',
    ],
    [
      'any resource',
      { ArnLike: { 'aws:SourceArn': 'arn:aws:logs:*:*:*' } },
      'with aws:SourceArn ["arn:aws:logs:*:*:*"], not this account (111111111111)',
    ],
    [
      'a Not operator',
      { StringNotEquals: { 'aws:SourceAccount': '111111111111' } },
      'with aws:SourceAccount under StringNotEquals, which does not bind it',
    ],
    [
      'IfExists',
      { StringEqualsIfExists: { 'aws:SourceAccount': '111111111111' } },
      'with aws:SourceAccount under StringEqualsIfExists, which does not bind it',
    ],
  ])('fails a binding to %s, naming the value', (_case, condition, problem) => {
    expect(check(grant(condition))).toEqual([
      expect.objectContaining({ message: `allows delivery.logs.amazonaws.com kms:Decrypt* ${problem}` }),
    ]);
  });
});
