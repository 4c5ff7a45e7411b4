import { type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { runInputKey } from '@airlock/contracts';
import { loadEnvironment } from '@airlock/shared/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialRegistry } from '../../../src/iam/credentials.js';
import { loadArtifacts } from '../../../src/run/artifacts.js';
import { startFrontInTaskNetwork, type FrontInTaskNetwork } from './front-under-test.js';

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`).
const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const artifacts = loadArtifacts(loadEnvironment('example'), root);
const LISTEN_PORT = 9000;
/** The run's input as s3rver would serve it: larger than every socket buffer on its way, so it is never all sent. */
const INPUT = Buffer.alloc(4 * 1024 * 1024, 'i');
const ABANDONED = 200;

/**
 * Inside the task's network: `count` times, one after the other, a presigned GET of the run's input whose answer is
 * abandoned at its first bytes with a reset (what a compromised fetch container can do as often as it likes).
 */
const ABANDON_ANSWERS = `
const [url, count] = [new URL(process.argv[1]), Number(process.argv[2])];
let closed = 0;
const once = () => {
  const socket = require('node:net').connect(${LISTEN_PORT}, '127.0.0.1', () =>
    socket.write('GET ' + url.pathname + url.search + ' HTTP/1.1\\r\\nHost: ' + url.host + '\\r\\n\\r\\n'));
  socket.on('error', () => undefined);
  socket.once('data', (chunk) => { if (closed === 0) process.stdout.write(String(chunk).split('\\r\\n')[0]); socket.resetAndDestroy(); });
  socket.on('close', () => (++closed < count ? once() : undefined));
};
once();
`;

/**
 * Inside the task's network: `count` presigned GETs in one write on one connection (HTTP/1.1 pipelining), whose
 * answers are never read; prints nothing. Stays connected until killed.
 */
const PIPELINE_UNREAD = `
const [url, count] = [new URL(process.argv[1]), Number(process.argv[2])];
const request = 'GET ' + url.pathname + url.search + ' HTTP/1.1\\r\\nHost: ' + url.host + '\\r\\n\\r\\n';
const socket = require('node:net').connect(${LISTEN_PORT}, '127.0.0.1', () => socket.write(request.repeat(count)));
socket.pause();
socket.on('error', () => undefined);
setTimeout(() => process.exit(0), 4000);
`;

/** Inside the task's network: GETs one after the other on one kept-alive connection; prints each status line. */
const SEQUENTIAL = `
const [url, count] = [new URL(process.argv[1]), Number(process.argv[2])];
const request = 'GET ' + url.pathname + url.search + ' HTTP/1.1\\r\\nHost: ' + url.host + '\\r\\n\\r\\n';
const socket = require('node:net').connect(${LISTEN_PORT}, '127.0.0.1', () => socket.write(request));
let received = Buffer.alloc(0), answered = 0;
socket.on('data', (chunk) => {
  received = Buffer.concat([received, chunk]);
  const head = received.indexOf('\\r\\n\\r\\n');
  if (head < 0) return;
  const length = Number(/content-length: (\\d+)/i.exec(received.subarray(0, head).toString())[1]);
  if (received.length < head + 4 + length) return;
  console.log(received.subarray(0, received.indexOf('\\r\\n')).toString());
  received = received.subarray(head + 4 + length);
  if (++answered < count) socket.write(request); else socket.end();
});
`;

const connectionsOf = (server: Server) =>
  new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));

describe('the S3 front under a task that abuses its one way out', () => {
  let setup: FrontInTaskNetwork;
  const registry = new CredentialRegistry();
  const signer = registry.forRole(artifacts.signerRoleArn);
  const inTask = (program: string, ...args: string[]) => setup.inTask(program, ...args);

  beforeAll(async () => {
    setup = await startFrontInTaskNetwork(artifacts, registry, {
      answer: INPUT,
      listenPort: LISTEN_PORT,
      programTimeoutMs: 60_000,
    });
  });
  afterAll(() => setup?.close());

  let inputUrl: string;
  beforeAll(async () => {
    inputUrl = await getSignedUrl(
      new S3Client({
        region: artifacts.env.region,
        endpoint: `http://127.0.0.1:${LISTEN_PORT}`,
        forcePathStyle: true,
        credentials: signer,
      }),
      new GetObjectCommand({ Bucket: artifacts.bucket, Key: runInputKey('run-1') }),
      { expiresIn: 600 },
    );
  });

  it('lets go of the local S3 server as soon as the task resets a connection it is answering', async () => {
    expect(await inTask(ABANDON_ANSWERS, inputUrl, String(ABANDONED))).toBe('HTTP/1.1 200 OK');
    // Each abandoned answer held an upstream connection (two sockets of this process, ~200 KiB) for good: a task
    // looping on it exhausts the rehearsal's descriptors and memory for every run. Let go, none is left open.
    await expect.poll(() => connectionsOf(setup.upstream), { timeout: 5_000 }).toBe(0);
  }, 90_000);

  it('serves a connection one request at a time: pipelined requests close it instead of each holding s3rver', async () => {
    const accesses = setup.front.accesses.length;
    await inTask(PIPELINE_UNREAD, inputUrl, '500');
    // Each request pipelined behind an answer the task never reads was authorized and sent to s3rver at once, its
    // answer held paused: 2000 on one connection held 2000 upstream connections and ~400 MiB of this process.
    expect(setup.front.accesses.length - accesses).toBeLessThanOrEqual(1);
    await expect.poll(() => connectionsOf(setup.upstream), { timeout: 5_000 }).toBe(0);
  }, 90_000);

  it('still serves requests one after the other on one kept-alive connection', async () => {
    expect((await inTask(SEQUENTIAL, inputUrl, '3')).trim().split('\n')).toEqual(Array(3).fill('HTTP/1.1 200 OK'));
  }, 90_000);
});
