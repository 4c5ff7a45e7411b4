import { describe, expect, it } from 'vitest';
import { s3BucketClosed } from '../../src/rules/s3-bucket-closed.js';
import { otherResource, surfaceOf } from './surface.js';

const BUCKET = 'airlock-example-data-333333333333-eu-west-1';
const closedBucket = {
  BucketName: BUCKET,
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  },
  OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
};
const policy = (logicalId: string) => otherResource('data', 'AWS::S3::BucketPolicy', logicalId, { Bucket: BUCKET });

describe('s3-bucket-closed', () => {
  it('is compliant for a bucket that blocks public access, enforces its ownership and has one policy', () => {
    expect(
      s3BucketClosed.check(
        surfaceOf({
          otherResources: [otherResource('data', 'AWS::S3::Bucket', 'Data', closedBucket), policy('Policy')],
        }),
      ),
    ).toEqual([{ account: 'data', subject: `bucket ${BUCKET}`, compliance: 'compliant' }]);
  });

  it('fails a bucket open to public ACLs, keeping ACLs, with a second bucket policy', () => {
    const open = {
      ...closedBucket,
      PublicAccessBlockConfiguration: { ...closedBucket.PublicAccessBlockConfiguration, BlockPublicAcls: false },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] },
    };
    const verdicts = s3BucketClosed.check(
      surfaceOf({
        otherResources: [otherResource('data', 'AWS::S3::Bucket', 'Data', open), policy('Policy'), policy('Another')],
      }),
    );
    expect(verdicts.map((v) => v.compliance === 'non-compliant' && v.message)).toEqual([
      'does not set PublicAccessBlockConfiguration.BlockPublicAcls. Fix: set it to true',
      'keeps ACLs (ObjectOwnership is not BucketOwnerEnforced). Fix: set it',
      'has 2 bucket policies (airlock-example-data/Policy, airlock-example-data/Another); the last deployed replaces the others. Fix: keep one',
    ]);
  });
});
