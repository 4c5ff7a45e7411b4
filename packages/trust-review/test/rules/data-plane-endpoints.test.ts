import { describe, expect, it } from 'vitest';
import { dataPlaneEndpoints } from '../../src/rules/data-plane-endpoints.js';
import { networkResource, surfaceOf } from './surface.js';

const bucket = 'arn:aws:s3:::airlock-example-data-333333333333-eu-west-1';
const inData = { account: 'data', accountId: '333333333333', stack: 'airlock-example-data' } as const;
const bound = { StringEquals: { 'aws:ResourceAccount': '333333333333' } };
const endpointWith = (statements: object[]) =>
  surfaceOf({
    networkResources: [{ ...networkResource('AWS::EC2::VPCEndpoint', 'S3', {}), ...inData }],
    resourcePolicies: [
      {
        ...inData,
        logicalId: 'S3',
        type: 'AWS::EC2::VPCEndpoint',
        isEndpointPolicy: true,
        policy: { Version: '2012-10-17', Statement: statements as never },
      },
    ],
  });
const messages = (surface: ReturnType<typeof surfaceOf>) =>
  dataPlaneEndpoints
    .check(surface)
    .flatMap((v) => (v.compliance === 'non-compliant' ? [v.message] : []))
    .map((m) => m.replace(/^statement \S+ /, ''));

describe('data-plane-endpoints', () => {
  it('is compliant for the data bucket and an ARN of the data account, bound by aws:ResourceAccount', () => {
    const surface = endpointWith([
      {
        Sid: 'A',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: [bucket, `${bucket}/*`],
        Condition: bound,
      },
      {
        Sid: 'B',
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:Decrypt',
        Resource: 'arn:aws:kms:eu-west-1:333333333333:key/k',
        Condition: bound,
      },
    ]);
    expect(dataPlaneEndpoints.check(surface).map((v) => v.compliance)).toEqual(['compliant']);
  });

  it('fails an unbound statement, another bucket, a wildcard ARN and a foreign account', () => {
    const surface = endpointWith([
      { Sid: 'A', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::someone-else/*' },
      {
        Sid: 'B',
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:Decrypt',
        Resource: 'arn:aws:kms:eu-west-1:333333333333:key/*',
        Condition: bound,
      },
      {
        Sid: 'C',
        Effect: 'Allow',
        Principal: '*',
        Action: 'sts:AssumeRole',
        Resource: 'arn:aws:iam::999999999999:role/r',
        Condition: bound,
      },
    ]);
    expect(messages(surface)).toEqual([
      'is not bound by aws:ResourceAccount = 333333333333',
      'admits arn:aws:s3:::someone-else/*, not a resource of the data plane',
      'admits arn:aws:kms:eu-west-1:333333333333:key/*, not a resource of the data plane',
      'admits arn:aws:iam::999999999999:role/r, not a resource of the data plane',
    ]);
  });

  it('fails an endpoint with no policy', () => {
    const surface = surfaceOf({
      networkResources: [{ ...networkResource('AWS::EC2::VPCEndpoint', 'Kms', {}), ...inData }],
    });
    expect(messages(surface)).toEqual([
      'has no endpoint policy: it admits every action on every resource of every account',
    ]);
  });
});
