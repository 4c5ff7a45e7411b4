import { describe, expect, it } from 'vitest';
import { parseDeployedPolicy, policyDifferences } from '../src/policy-documents.js';

const synthesized = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] },
    {
      Effect: 'Allow',
      Principal: { Service: 'states.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    },
  ],
};

describe('policyDifferences', () => {
  it('reads a URL-encoded, reordered document with single values unwrapped and "*" for { AWS: "*" } as the same policy', () => {
    const deployed = encodeURIComponent(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Condition: { StringEquals: { 'aws:SourceAccount': ['111111111111'] } },
            Action: ['sts:AssumeRole'],
            Principal: { Service: 'states.amazonaws.com' },
            Effect: 'Allow',
          },
          { Effect: 'Deny', Principal: '*', Action: ['s3:*'], Resource: ['arn:aws:s3:::b/*', 'arn:aws:s3:::b'] },
        ],
      }),
    );
    expect(policyDifferences(synthesized, parseDeployedPolicy(deployed))).toEqual([]);
  });

  it('names a changed principal and a changed condition value', () => {
    const deployed = structuredClone(synthesized);
    deployed.Statement[1]!.Principal = { Service: 'lambda.amazonaws.com' };
    deployed.Statement[1]!.Condition = { StringEquals: { 'aws:SourceAccount': '999999999999' } };
    expect(policyDifferences(synthesized, deployed)).toEqual([
      expect.stringMatching(
        /Condition StringEquals aws:SourceAccount synthesized \["111111111111"\], deployed \["999999999999"\]; Principal synthesized \{"Service":\["states\.amazonaws\.com"\]\}, deployed \{"Service":\["lambda\.amazonaws\.com"\]\}$/,
      ),
    ]);
  });
});
