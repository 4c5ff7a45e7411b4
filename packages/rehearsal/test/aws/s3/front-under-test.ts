import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startS3Front, type S3FrontPolicies, type S3Upstream } from '../../../src/aws/s3/s3-front.js';
import { s3PoliciesOf } from '../../../src/aws/s3/s3-policies.js';
import { Authorizer } from '../../../src/iam/authorizer.js';
import type { CredentialRegistry } from '../../../src/iam/credentials.js';
import type { Artifacts } from '../../../src/run/artifacts.js';

/** The URL of a stand-in for s3rver listening on a loopback port. */
export const upstreamUrl = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/**
 * The S3 front as the rehearsal starts it over the synthesized surface, forwarding to `upstream` (a stand-in for
 * s3rver), with the surface's own policies unless a test gives others.
 */
export function startFrontUnderTest(
  artifacts: Artifacts,
  upstream: S3Upstream,
  registry: CredentialRegistry,
  policies: S3FrontPolicies = s3PoliciesOf(artifacts.surface, false),
): ReturnType<typeof startS3Front> {
  return startS3Front(
    upstream,
    (bucket) => `arn:${artifacts.env.partition}:s3:::${bucket}`,
    artifacts.env.region,
    registry,
    new Authorizer(artifacts.surface),
    policies,
  );
}
