import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { PolicyDocument } from '@airlock/cloud-assembly';
import { loadEnvironment } from '@airlock/shared/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close } from '../../../src/aws/http-server.js';
import { startS3Front } from '../../../src/aws/s3/s3-front.js';
import { s3PoliciesOf } from '../../../src/aws/s3/s3-policies.js';
import { CredentialRegistry } from '../../../src/iam/credentials.js';
import { loadArtifacts } from '../../../src/run/artifacts.js';
import { startFrontUnderTest, upstreamUrl } from './front-under-test.js';

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`).
const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const artifacts = loadArtifacts(loadEnvironment('example'), root);
const prepareRoleArn = [...artifacts.functions.values()].find((f) => f.environment.SIGNER_ROLE_ARN)?.roleArn ?? '';
const bucketKey = artifacts.bucketKey;
if (!bucketKey) throw new Error('the data bucket has no SSE-KMS default key in the synthesized data template');

/** The synthesized key policy without its statements for the data account: KMS then trusts no IAM policy of it. */
const keyPolicyWithoutTheAccount: PolicyDocument = {
  ...bucketKey.policy,
  Statement: bucketKey.policy.Statement.filter((s) => !JSON.stringify(s.Principal ?? '').includes(':root')),
};

describe("the S3 front calls KMS on the caller's behalf: the data bucket's key policy applies to its objects", () => {
  let upstream: Server;
  const fronts: Array<Awaited<ReturnType<typeof startS3Front>>> = [];
  const registry = new CredentialRegistry();
  const prepare = registry.forRole(prepareRoleArn);
  const start = async (policy: PolicyDocument) => {
    const front = await startFrontUnderTest(
      artifacts,
      upstreamUrl(upstream),
      registry,
      s3PoliciesOf(artifacts.surface, false, { name: artifacts.bucket, key: { ...bucketKey, policy } }),
    );
    fronts.push(front);
    return front;
  };
  const getUpload = (endpoint: string) =>
    new S3Client({
      region: artifacts.env.region,
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: prepare.accessKeyId, secretAccessKey: prepare.secretAccessKey },
    })
      .send(new GetObjectCommand({ Bucket: artifacts.bucket, Key: 'uploads/sub-1-1/submission.tar.gz' }))
      .then(
        (r) => `${r.$metadata.httpStatusCode}`,
        (e: Error & { $metadata?: { httpStatusCode?: number } }) => `${e.$metadata?.httpStatusCode} ${e.message}`,
      );

  beforeAll(async () => {
    upstream = createServer((_req, res) => res.end('the object'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await Promise.all([...fronts.flatMap((f) => [f.server, f.endpoint.server]), upstream].map(close));
  });

  it("serves prepare's read of an upload with the synthesized key policy (it delegates to the account's IAM)", async () => {
    const front = await start(bucketKey.policy);
    expect(await getUpload(front.url)).toBe('200');
  });

  it('refuses the same read, allowed by its identity and the bucket policy, when the key policy does not allow it', async () => {
    const front = await start(keyPolicyWithoutTheAccount);
    expect(await getUpload(front.url)).toBe('403 Access Denied');
    expect(front.accesses.at(-1)).toMatchObject({
      action: 's3:GetObject',
      allowed: false,
      reason: `User: ${prepareRoleArn} is not authorized to perform: kms:Decrypt on resource: ${bucketKey.arn} (refused by the KMS key policy)`,
    });
  });
});
