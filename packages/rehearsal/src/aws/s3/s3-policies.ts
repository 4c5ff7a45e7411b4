import { asList, type Statement, type TrustSurface } from '@airlock/cloud-assembly';
import { VPCE_ACCOUNT_KEY } from '@airlock/contracts';
import type { BucketKey } from '../../run/artifacts.js';
import type { S3FrontPolicies } from './s3-front.js';

const resourcesOf = (s: Statement) => asList(s.Resource).map(String);
const actionsOf = (s: Statement) => asList(s.Action).map(String);

/**
 * The synthesized policies S3 applies besides the caller's own: each bucket's bucket policy, the sandbox's S3
 * gateway endpoint (the one endpoint policy of the sandbox account that speaks of `s3:` actions), and the data
 * bucket's KMS key with its key policy.
 */
export function s3PoliciesOf(
  surface: TrustSurface,
  presignedComeThroughEndpoint: boolean,
  dataBucket?: { readonly name: string; readonly key?: BucketKey },
): S3FrontPolicies {
  const bucketPolicies = surface.resourcePolicies.filter((p) => p.type === 'AWS::S3::BucketPolicy');
  const s3Endpoints = surface.resourcePolicies.filter(
    (p) =>
      p.isEndpointPolicy &&
      p.account === 'sandbox' &&
      p.policy.Statement.some((s) => actionsOf(s).some((a) => a.toLowerCase().startsWith('s3:'))),
  );
  const [endpoint, ...others] = s3Endpoints;
  if (!endpoint || others.length > 0)
    throw new Error(
      `expected exactly one S3 endpoint policy in the sandbox account's templates, found ${s3Endpoints.length}: ` +
        'the rehearsal needs it to stand in for the task network',
    );
  const policyOf = (bucket: string) => {
    const arn = `arn:${surface.env.partition}:s3:::${bucket}`;
    return bucketPolicies.find((p) =>
      p.policy.Statement.some((s) => resourcesOf(s).some((r) => r === arn || r.startsWith(`${arn}/`))),
    );
  };
  return {
    bucketPolicy: (bucket) => policyOf(bucket)?.policy,
    // Every bucket of the templates has a policy (the non-TLS Deny), so that policy's account is the bucket's.
    bucketAccount: (bucket) => policyOf(bucket)?.accountId,
    endpoint: {
      context: { [VPCE_ACCOUNT_KEY]: surface.env.accounts.sandbox },
      policy: endpoint.policy,
    },
    objectKey: (bucket) => (bucket === dataBucket?.name ? dataBucket.key : undefined),
    presignedComeThroughEndpoint,
  };
}
