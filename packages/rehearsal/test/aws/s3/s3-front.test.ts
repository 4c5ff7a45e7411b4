import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadEnvironment } from '@airlock/shared/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close } from '../../../src/aws/http-server.js';
import { SANDBOX_BODY_BYTES, startS3Front } from '../../../src/aws/s3/s3-front.js';
import { CredentialRegistry } from '../../../src/iam/credentials.js';
import { loadArtifacts } from '../../../src/run/artifacts.js';
import { startFrontUnderTest, upstreamUrl } from './front-under-test.js';

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`).
const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const artifacts = loadArtifacts(loadEnvironment('example'), root);
const prepareRoleArn = [...artifacts.functions.values()].find((f) => f.environment.SIGNER_ROLE_ARN)?.roleArn ?? '';

describe('the S3 front: S3 as the sandbox reaches it through its endpoint, and as everyone else does', () => {
  let upstream: Server;
  let resetUpstream = false;
  let resetReusedUpstream = false;
  const served = new WeakSet<Socket>();
  let front: Awaited<ReturnType<typeof startS3Front>>;
  const registry = new CredentialRegistry();
  const prepare = registry.forRole(prepareRoleArn);
  const getUpload = (endpoint: string) =>
    new S3Client({
      region: artifacts.env.region,
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: prepare.accessKeyId, secretAccessKey: prepare.secretAccessKey },
    })
      .send(new GetObjectCommand({ Bucket: artifacts.bucket, Key: 'uploads/sub-1-1/submission.tar.gz' }))
      .then(
        async (r) => `${r.$metadata.httpStatusCode} ${await r.Body?.transformToString()}`,
        (e: Error & { $metadata?: { httpStatusCode?: number } }) => `${e.$metadata?.httpStatusCode} ${e.message}`,
      );

  beforeAll(async () => {
    // Stands in for s3rver: whatever the front lets through is answered (or, when a test says so, reset).
    upstream = createServer((req, res) => {
      if (resetUpstream) return req.socket.destroy();
      // s3rver closing a kept-alive connection as the front's next request goes out on it (the race under load).
      if (resetReusedUpstream && served.has(req.socket)) return req.socket.resetAndDestroy();
      served.add(req.socket);
      res.end('the object');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    front = await startFrontUnderTest(artifacts, upstreamUrl(upstream), registry);
  });
  afterAll(async () => {
    await Promise.all([front.server, front.endpoint.server, upstream].map(close));
  });

  it("serves the prepare function's read of an upload from outside the sandbox", async () => {
    expect(await getUpload(front.url)).toBe('200 the object');
  });

  it('answers a 500 the SDK retries when the local S3 server resets the connection, and keeps serving', async () => {
    resetUpstream = true;
    try {
      expect(await getUpload(front.url)).toMatch(/^500 /);
    } finally {
      resetUpstream = false;
    }
    expect(await getUpload(front.url)).toBe('200 the object');
  });

  it('sends a request s3rver reset on a kept-alive connection again, so it is answered and counted once', async () => {
    expect(await getUpload(front.url)).toBe('200 the object');
    resetReusedUpstream = true;
    try {
      const before = front.accesses.length;
      expect(await getUpload(front.url)).toBe('200 the object');
      // Not a 500 the SDK retries: that would be a second request, authorized and priced twice.
      expect(front.accesses.length - before).toBe(1);
    } finally {
      resetReusedUpstream = false;
    }
  });

  it('refuses a body from the sandbox past its bound before holding it, whatever the sender keeps sending', async () => {
    // A chunked POST that never ends: the front must answer without waiting for (or holding) the whole body.
    const answer = await new Promise<string>((resolve, reject) => {
      const post = request(`${front.endpoint.url}/${artifacts.bucket}`, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
      });
      const block = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const write = (): void => {
        while (sent < 64 * SANDBOX_BODY_BYTES) {
          sent += block.length;
          if (!post.write(block)) return void post.once('drain', write);
        }
        reject(new Error(`the front took ${sent} bytes without answering`));
      };
      post.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => resolve(`${response.statusCode} ${text}`));
      });
      post.on('error', () => undefined);
      write();
    });
    expect(answer).toMatch(/^400 .*<Code>EntityTooLarge<\/Code>/s);
  });

  it("refuses the same request through the sandbox's S3 endpoint, naming the endpoint policy", async () => {
    expect(await getUpload(front.endpoint.url)).toBe('403 Access Denied');
    expect(front.accesses.at(-1)).toMatchObject({
      allowed: false,
      via: 'sandbox endpoint',
      reason: expect.stringMatching(
        /^User: \S+ is not authorized to perform: s3:GetObject on resource: \S+\/uploads\/sub-1-1\/submission\.tar\.gz \(refused by the policy of the VPC endpoint it came through\)$/,
      ),
    });
  });
});

describe('the S3 front with its local S3 server on a Unix socket (as the rehearsal wires it)', () => {
  let upstream: Server;
  let socketDir: string;
  let front: Awaited<ReturnType<typeof startS3Front>>;
  const registry = new CredentialRegistry();
  const prepare = registry.forRole(prepareRoleArn);

  beforeAll(async () => {
    socketDir = mkdtempSync(join(tmpdir(), 'airlock-s3-socket-test-'));
    upstream = createServer((_req, res) => res.end('the object over a Unix socket'));
    await new Promise<void>((resolve) => upstream.listen(join(socketDir, 's3.sock'), resolve));
    front = await startFrontUnderTest(artifacts, { socketPath: join(socketDir, 's3.sock') }, registry);
  });
  afterAll(async () => {
    await Promise.all([front.server, front.endpoint.server, upstream].map(close));
    rmSync(socketDir, { recursive: true, force: true });
  });

  it('forwards what it authorized to a local S3 server that listens only on a Unix socket', async () => {
    const answer = await new S3Client({
      region: artifacts.env.region,
      endpoint: front.url,
      forcePathStyle: true,
      credentials: { accessKeyId: prepare.accessKeyId, secretAccessKey: prepare.secretAccessKey },
    })
      .send(new GetObjectCommand({ Bucket: artifacts.bucket, Key: 'uploads/sub-1-1/submission.tar.gz' }))
      .then(async (r) => r.Body?.transformToString());
    expect(answer).toBe('the object over a Unix socket');
  });
});
