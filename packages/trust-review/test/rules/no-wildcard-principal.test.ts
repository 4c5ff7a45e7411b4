import { describe, expect, it } from 'vitest';
import { noWildcardPrincipal } from '../../src/rules/no-wildcard-principal.js';
import { resourcePolicy, role, surfaceOf, targetTrust } from './surface.js';

const grant = { Effect: 'Allow' as const, Action: 's3:GetObject', Resource: '*' };

describe('no-wildcard-principal', () => {
  it('is compliant for a named principal', () => {
    expect(noWildcardPrincipal.check(surfaceOf({ roles: [role('data', 'target', [targetTrust])] }))).toEqual([
      { account: 'data', subject: 'role target', compliance: 'compliant' },
    ]);
  });

  it('fails on Principal "*" in a trust policy and NotPrincipal in a bucket policy', () => {
    const surface = surfaceOf({
      roles: [role('data', 'target', [{ ...targetTrust, Principal: { AWS: '*' } }])],
      resourcePolicies: [
        resourcePolicy('data', 'AWS::S3::BucketPolicy', 'DataPolicy', [
          { ...grant, NotPrincipal: { AWS: 'arn:aws:iam::333333333333:role/x' } },
        ]),
      ],
    });
    expect(noWildcardPrincipal.check(surface)).toEqual([
      { account: 'data', subject: 'role target', compliance: 'non-compliant', message: 'admits any principal ("*")' },
      {
        account: 'data',
        subject: 'AWS::S3::BucketPolicy DataPolicy',
        compliance: 'non-compliant',
        message: 'uses NotPrincipal, which admits everyone not listed',
      },
    ]);
  });

  it('leaves VPC endpoint policies out: they filter a path and grant nothing', () => {
    const surface = surfaceOf({
      resourcePolicies: [
        resourcePolicy('sandbox', 'AWS::EC2::VPCEndpoint', 'S3Endpoint', [{ ...grant, Principal: '*' }]),
      ],
    });
    expect(noWildcardPrincipal.check(surface)).toEqual([]);
  });
});
