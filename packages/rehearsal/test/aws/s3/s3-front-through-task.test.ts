import { fileURLToPath } from 'node:url';
import { loadEnvironment } from '@airlock/shared/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_BODY_BYTES } from '../../../src/aws/s3/s3-front.js';
import { CredentialRegistry } from '../../../src/iam/credentials.js';
import { loadArtifacts } from '../../../src/run/artifacts.js';
import { startFrontInTaskNetwork, type FrontInTaskNetwork } from './front-under-test.js';

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`).
const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const artifacts = loadArtifacts(loadEnvironment('example'), root);
const prepareRoleArn = [...artifacts.functions.values()].find((f) => f.environment.SIGNER_ROLE_ARN)?.roleArn ?? '';
const LISTEN_PORT = 9000;

/** Inside the task's network (the host's files, so the SDK resolves from this package): GetObject, prints the outcome. */
const GET_OBJECT = `
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const [region, bucket, accessKeyId, secretAccessKey] = process.argv.slice(1);
new S3Client({ region, endpoint: 'http://127.0.0.1:${LISTEN_PORT}', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId, secretAccessKey } })
  .send(new GetObjectCommand({ Bucket: bucket, Key: 'uploads/sub-1-1/submission.tar.gz' }))
  .then(async (r) => process.stdout.write(r.$metadata.httpStatusCode + ' ' + (await r.Body.transformToString())),
        (e) => process.stdout.write(e.$metadata.httpStatusCode + ' ' + e.message));
`;

/** Inside the task's network: a chunked POST that never ends; prints the answer. */
const ENDLESS_POST = `
const post = require('node:http').request({ host: '127.0.0.1', port: ${LISTEN_PORT}, path: '/' + process.argv[1], method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' } });
const block = Buffer.alloc(64 * 1024, 'a');
let sent = 0;
const write = () => {
  while (sent < ${64 * SANDBOX_BODY_BYTES}) { sent += block.length; if (!post.write(block)) return void post.once('drain', write); }
  process.stdout.write('the front took ' + sent + ' bytes without answering');
};
post.on('response', (response) => {
  let text = '';
  response.on('data', (chunk) => (text += chunk));
  response.on('end', () => process.stdout.write(response.statusCode + ' ' + text));
});
post.on('error', () => undefined);
write();
`;

describe("the S3 front as a task reaches it: its connection handed to the endpoint's server", () => {
  let setup: FrontInTaskNetwork;
  const registry = new CredentialRegistry();
  const prepare = registry.forRole(prepareRoleArn);
  const inTask = (program: string, ...args: string[]) => setup.inTask(program, ...args);

  beforeAll(async () => {
    setup = await startFrontInTaskNetwork(artifacts, registry, {
      answer: 'the object',
      listenPort: LISTEN_PORT,
      programTimeoutMs: 30_000,
    });
  });
  afterAll(() => setup?.close());

  it('is "the sandbox endpoint": the endpoint policy refuses what it refuses through the endpoint listener', async () => {
    const accesses = setup.front.accesses.length;
    expect(
      await inTask(GET_OBJECT, artifacts.env.region, artifacts.bucket, prepare.accessKeyId, prepare.secretAccessKey),
    ).toBe('403 Access Denied');
    expect(setup.front.accesses.slice(accesses)).toEqual([
      expect.objectContaining({
        allowed: false,
        via: 'sandbox endpoint',
        reason: expect.stringMatching(/\(refused by the policy of the VPC endpoint it came through\)$/),
      }),
    ]);
  });

  it('refuses a body past its bound before holding it, whatever the task keeps sending', async () => {
    expect(await inTask(ENDLESS_POST, artifacts.bucket)).toMatch(/^400 .*<Code>EntityTooLarge<\/Code>/s);
  });
});
