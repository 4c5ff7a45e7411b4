import { defineRule, verdictsFor } from './define-rule.js';

const BLOCK_FLAGS = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'] as const;

export const s3BucketClosed = defineRule({
  id: 's3-bucket-closed',
  invariant: 'I3',
  explanation:
    'Every bucket blocks public access (all four flags), disables ACLs (BucketOwnerEnforced) and has exactly one ' +
    'bucket policy: an ACL grant or a public policy bypasses the reviewed policy, and CloudFormation lets a second ' +
    "`AWS::S3::BucketPolicy` on the same bucket (another stack's) replace the reviewed one when it deploys.",
  check: (surface) => {
    const buckets = surface.otherResources.filter((r) => r.type === 'AWS::S3::Bucket');
    const policies = surface.otherResources.filter((r) => r.type === 'AWS::S3::BucketPolicy');
    return buckets.flatMap((bucket) => {
      const p = bucket.properties as {
        BucketName?: unknown;
        PublicAccessBlockConfiguration?: Record<string, unknown>;
        OwnershipControls?: { Rules?: Array<{ ObjectOwnership?: unknown }> };
      };
      // A bucket policy names its bucket by reference (resolved to the bucket's name) or by the literal name.
      const name = String(p.BucketName ?? `${bucket.stack}-${bucket.logicalId}`);
      const own = policies.filter((policy) => policy.account === bucket.account && policy.properties.Bucket === name);
      return verdictsFor({ account: bucket.account, subject: `bucket ${name}` }, [
        ...BLOCK_FLAGS.filter((flag) => p.PublicAccessBlockConfiguration?.[flag] !== true).map(
          (flag) => `does not set PublicAccessBlockConfiguration.${flag}. Fix: set it to true`,
        ),
        ...(p.OwnershipControls?.Rules?.[0]?.ObjectOwnership === 'BucketOwnerEnforced'
          ? []
          : ['keeps ACLs (ObjectOwnership is not BucketOwnerEnforced). Fix: set it']),
        ...(own.length > 1
          ? [
              `has ${own.length} bucket policies (${own.map((o) => `${o.stack}/${o.logicalId}`).join(', ')}); the last deployed replaces the others. Fix: keep one`,
            ]
          : []),
      ]);
    });
  },
});
