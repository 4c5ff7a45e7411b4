import type { Statement } from '@airlock/cloud-assembly';
import { describe, expect, it } from 'vitest';
import { noMissingKeyPass } from '../../src/rules/no-missing-key-pass.js';
import { resourcePolicy, role, surfaceOf, targetTrust } from './surface.js';

const signer = 'arn:aws:iam::333333333333:role/airlock-example-data-signer';
const BUCKET_POLICY = 'AWS::S3::BucketPolicy';
const bucket = (statement: Statement) =>
  noMissingKeyPass.check(
    surfaceOf({ resourcePolicies: [resourcePolicy('data', BUCKET_POLICY, 'DataPolicy', [statement])] }),
  );
const subject = { account: 'data', subject: `${BUCKET_POLICY} DataPolicy` };

/** The URL perimeter of issue 13: the signer's requests count only through the sandbox account's endpoints. */
const perimeterDeny = (condition: Statement['Condition']): Statement => ({
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 's3:*',
  Resource: 'arn:aws:s3:::bucket/runs/*',
  Condition: condition,
});

describe('no-missing-key-pass', () => {
  it('is compliant for a trust tested with StringEquals and ArnEquals only', () => {
    const surface = surfaceOf({ roles: [role('data', 'target', [targetTrust])] });
    expect(noMissingKeyPass.check(surface)).toEqual([
      { account: 'data', subject: 'role target', compliance: 'compliant' },
    ]);
  });

  it('fails when an Allow tests the ExternalId with StringEqualsIfExists', () => {
    const trust = { ...targetTrust, Condition: { StringEqualsIfExists: { 'sts:ExternalId': 'x' } } };
    expect(noMissingKeyPass.check(surfaceOf({ roles: [role('data', 'target', [trust])] }))).toEqual([
      {
        account: 'data',
        subject: 'role target',
        compliance: 'non-compliant',
        message: 'condition StringEqualsIfExists sts:ExternalId passes when the key is missing',
      },
    ]);
  });

  it('fails when an Allow uses a negated condition without a Null guard', () => {
    const allow: Statement = {
      Effect: 'Allow',
      Principal: { Service: 'logs.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:SourceAccount': '999999999999' } },
    };
    expect(bucket(allow)).toEqual([
      {
        ...subject,
        compliance: 'non-compliant',
        message: 'condition StringNotEquals aws:SourceAccount passes when the key is missing',
      },
    ]);
  });

  it('is compliant when an Allow guards its negated condition with Null = "false"', () => {
    const allow: Statement = {
      Effect: 'Allow',
      Principal: { Service: 'logs.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: '*',
      Condition: {
        StringNotEquals: { 'aws:SourceAccount': '999999999999' },
        Null: { 'aws:SourceAccount': 'false' },
      },
    };
    expect(bucket(allow)).toEqual([{ ...subject, compliance: 'compliant' }]);
  });

  it('fails when an Allow\'s "guard" is Null = "true", which requires the key to be missing', () => {
    const allow: Statement = {
      Effect: 'Allow',
      Principal: { Service: 'logs.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:SourceAccount': '999999999999' }, Null: { 'aws:SourceAccount': 'true' } },
    };
    expect(bucket(allow)).toEqual([
      {
        ...subject,
        compliance: 'non-compliant',
        message: 'condition StringNotEquals aws:SourceAccount passes when the key is missing',
      },
    ]);
  });

  it('is compliant for a Deny whose negated condition has no Null guard (a request without the key is denied)', () => {
    const deny = perimeterDeny({
      StringNotEquals: { 'aws:VpceAccount': '222222222222' },
      ArnEquals: { 'aws:PrincipalArn': signer },
    });
    expect(bucket(deny)).toEqual([{ ...subject, compliance: 'compliant' }]);
  });

  it('fails for a Deny whose negated condition is guarded by Null = "false" (it exempts requests without the key)', () => {
    const deny = perimeterDeny({
      StringNotEquals: { 'aws:VpceAccount': '222222222222' },
      Null: { 'aws:VpceAccount': 'false' },
      ArnEquals: { 'aws:PrincipalArn': signer },
    });
    expect(bucket(deny)).toEqual([
      {
        ...subject,
        compliance: 'non-compliant',
        message:
          'Deny condition StringNotEquals aws:VpceAccount is guarded by Null aws:VpceAccount = false, which exempts ' +
          'requests without aws:VpceAccount from the Deny; remove the Null guard',
      },
    ]);
  });
});
