import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import S3rver from 's3rver';
import { loadEnvironment } from '@airlock/shared/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close } from '../../../src/aws/http-server.js';
import { startS3Front } from '../../../src/aws/s3/s3-front.js';
import { CredentialRegistry } from '../../../src/iam/credentials.js';
import { loadArtifacts } from '../../../src/run/artifacts.js';
import { startFrontUnderTest } from './front-under-test.js';

// Found by an attack review: the front authorized the bucket and key it read from the path but forwarded the raw
// path and the caller's Host to s3rver, which took a non-local Host as the bucket and joined `..` in a key into its
// file path. A request with keys of no role here, through the sandbox's endpoint, was authorized as a GET of ECR's
// layer bucket (which the endpoint policy admits for anyone) and served another run's input.
const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const artifacts = loadArtifacts(loadEnvironment('example'), root);
const secretKey = 'runs/run-9-9/input.tar.gz';

const get = (port: number, host: string, path: string) =>
  new Promise<string>((resolve, reject) => {
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const req = request(
      {
        hostname: '127.0.0.1',
        port,
        path,
        method: 'GET',
        headers: {
          host,
          'x-amz-date': date,
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
          authorization:
            `AWS4-HMAC-SHA256 Credential=AKIAATTACKEROWNKEY01/${date.slice(0, 8)}/eu-west-1/s3/aws4_request, ` +
            `SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'0'.repeat(64)}`,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      },
    );
    req.on('error', reject);
    req.end();
  });

describe("the S3 front's endpoint listener, against a request whose path and Host mean different things", () => {
  let s3rver: S3rver;
  let front: Awaited<ReturnType<typeof startS3Front>>;
  const directory = mkdtempSync(join(tmpdir(), 'attack3-s3-'));

  beforeAll(async () => {
    s3rver = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: artifacts.bucket, configs: [] }],
    });
    const port = ((await s3rver.run()) as AddressInfo).port;
    // Another run's input, written straight into s3rver (it checks no signatures).
    await new Promise<void>((resolve, reject) => {
      const put = request(
        { hostname: '127.0.0.1', port, method: 'PUT', path: `/${artifacts.bucket}/${secretKey}` },
        (res) => (res.resume(), res.statusCode === 200 ? resolve() : reject(new Error(String(res.statusCode)))),
      );
      put.end('another run input');
    });
    front = await startFrontUnderTest(artifacts, `http://127.0.0.1:${port}`, new CredentialRegistry());
  });
  afterAll(async () => {
    await Promise.all([front.server, front.endpoint.server].map(close));
    await s3rver.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('control: the same foreign keys asking for the run object by its own path are refused', async () => {
    const port = Number(new URL(front.endpoint.url).port);
    expect(await get(port, '127.0.0.1', `/${artifacts.bucket}/${secretKey}`)).toMatch(/^403 /);
  });

  it("refuses a GET authorized as ECR's layer bucket that s3rver serves from the data bucket", async () => {
    const port = Number(new URL(front.endpoint.url).port);
    const layers = `prod-${artifacts.env.region}-starport-layer-bucket`;
    const answer = await get(port, artifacts.bucket, `/${layers}/..%2F${secretKey.replaceAll('/', '%2F')}`);
    expect(answer).not.toBe('200 another run input');
    expect(answer).toMatch(/^4\d\d /);
  });
});
