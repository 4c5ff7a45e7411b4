import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { tarGz } from '@airlock/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_PLANE_LIMITS } from '../../src/functions/common/limits.js';
import { outputPostFields, type OutputPost, type RunGrant } from '@airlock/contracts';
import { mintRunGrant } from '../../src/functions/common/run-grant.js';
import { prepare, type PrepareDeps } from '../../src/functions/prepare/prepare-core.js';
import { goodArchive } from './archives.js';
import { startLocalStores, type LocalStores } from './local-stores.js';

let stores: LocalStores;
beforeAll(async () => {
  stores = await startLocalStores();
});
afterAll(() => stores.stop());

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
let seq = 0;

async function submit(archive: Buffer): Promise<string> {
  const submissionId = `sub-${++seq}`;
  await stores.put(`uploads/${submissionId}.tar.gz`, archive);
  await stores.dynamodb.send(
    new PutItemCommand({
      TableName: stores.table,
      Item: { pk: { S: `submission#${submissionId}` }, archiveKey: { S: `uploads/${submissionId}.tar.gz` } },
    }),
  );
  return submissionId;
}

function deps(
  overrides: Partial<PrepareDeps> = {},
): PrepareDeps & { grants: Array<{ expiresInSeconds: number; deadline: number }> } {
  const grants: Array<{ expiresInSeconds: number; deadline: number }> = [];
  return {
    s3: stores.s3,
    records: stores.records,
    bucket: stores.bucket,
    runTimeoutSeconds: 300,
    now: () => NOW,
    // Real signing, with the local server's static key instead of an assumed signer session.
    mintGrant: (runId, expiresInSeconds, deadline) => {
      grants.push({ expiresInSeconds, deadline });
      return mintRunGrant(stores.s3, {
        bucket: stores.bucket,
        runId,
        expiresInSeconds,
        maxOutputBytes: DATA_PLANE_LIMITS.maxOutputBytes,
        deadline,
      });
    },
    grants,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: Error) => e,
  );
  if (!error) throw new Error('expected prepare to fail');
  return { name: error.name, message: error.message };
}

describe('prepare', () => {
  it('copies the checked archive to the run, records it and returns a GET that downloads exactly the input', async () => {
    const archive = goodArchive();
    const submissionId = await submit(archive);
    const grant = await prepare({ action: 'prepare', runId: 'run-good', submissionId }, deps());

    expect(await stores.keys('runs/')).toEqual(['runs/run-good/input.tar.gz']);
    const downloaded = Buffer.from(await (await fetch(grant.inputUrl)).arrayBuffer());
    expect(downloaded.equals(archive)).toBe(true);
    expect(new URL(grant.inputUrl).pathname).toBe(`/${stores.bucket}/runs/run-good/input.tar.gz`);
    expect(await stores.records.getRun('run-good')).toMatchObject({ status: 'PREPARED', submissionId });
  });

  it("returns a POST for exactly this run's output.json, size-capped, expiring with the run", async () => {
    const submissionId = await submit(goodArchive());
    const d = deps();
    const grant: RunGrant = await prepare({ runId: 'run-post', submissionId }, d);
    const wire = JSON.parse(grant.outputPost) as OutputPost;
    expect(Object.keys(wire).sort()).toEqual(['policy', 'signature', 'url']);
    const post = { url: wire.url, fields: outputPostFields(wire) };
    const policy = JSON.parse(wire.policy) as {
      expiration: string;
      conditions: unknown[];
    };

    expect(post.fields.key).toBe('runs/run-post/output.json');
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 256 * 1024],
        ['eq', '$Content-Type', 'application/json'],
        { bucket: stores.bucket },
        { key: 'runs/run-post/output.json' },
      ]),
    );
    expect(policy.conditions.filter((c) => JSON.stringify(c).includes('starts-with'))).toEqual([]);
    // Deadline = now + task start margin + run timeout; URLs live one margin longer.
    expect(Number(grant.deadline)).toBe(NOW + 180_000 + 300_000);
    expect(d.grants[0]).toEqual({ expiresInSeconds: 540, deadline: NOW + 480_000 });
    expect(Date.parse(policy.expiration)).toBeLessThanOrEqual(Date.now() + 541_000);

    // The POST works the way the runner sends it (the local server does not enforce the policy; see above).
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('file', new Blob(['{"schemaVersion":1}'], { type: 'application/json' }), 'output.json');
    const response = await fetch(post.url, { method: 'POST', body: form });
    expect(response.status).toBeLessThan(300);
    const stored = await stores.s3.send(
      new GetObjectCommand({ Bucket: stores.bucket, Key: 'runs/run-post/output.json' }),
    );
    expect(await stored.Body?.transformToString()).toBe('{"schemaVersion":1}');
  });

  it('records why when the URLs cannot be signed, and fails', async () => {
    const submissionId = await submit(goodArchive());
    const denied = deps({
      mintGrant: () => Promise.reject(Object.assign(new Error('explicit deny'), { name: 'AccessDenied' })),
    });
    expect(await rejection(prepare({ runId: 'run-unsigned', submissionId }, denied))).toMatchObject({
      name: 'AccessDenied',
    });
    expect(await stores.records.getRun('run-unsigned')).toMatchObject({
      status: 'FAILED',
      reason: 'the run could not be prepared: AccessDenied',
    });
  });

  it('caps URL lifetime: the longest configurable run stays under an hour, and the cap holds if limits change', async () => {
    const longest = deps({ runTimeoutSeconds: 3000 });
    await prepare({ runId: 'run-long', submissionId: await submit(goodArchive()) }, longest);
    expect(longest.grants[0]!.expiresInSeconds).toBe(3000 + 180 + 60);
    expect(DATA_PLANE_LIMITS.maxUrlLifetimeMs).toBe(3_600_000);
    const capped = deps({ runTimeoutSeconds: 3000, limits: { ...DATA_PLANE_LIMITS, maxUrlLifetimeMs: 1_000_000 } });
    await prepare({ runId: 'run-capped', submissionId: await submit(goodArchive()) }, capped);
    expect(capped.grants[0]!.expiresInSeconds).toBe(1000);
  });

  it.each([
    ['a path traversal', tarGz([{ path: '../evil', content: 'x' }]), /"\.\.\/evil" contains a "\.\." segment/],
    ['an absolute path', tarGz([{ path: '/etc/cron.d/x', content: 'x' }]), /is an absolute path/],
    ['a symbolic link', tarGz([{ path: 'l', type: 'SymbolicLink', linkpath: '/' }]), /"l" is a SymbolicLink/],
    ['too many entries', tarGz(Array.from({ length: 2001 }, (_, i) => ({ path: `f${i}` }))), /more than 2000 entries/],
    ['no gzip at all', Buffer.from('plain text, not an archive'), /not a valid \.tar\.gz/],
  ])('rejects a submission with %s: the record says why and nothing reaches runs/', async (name, archive, reason) => {
    const submissionId = await submit(archive);
    const runId = `run-bad-${name.replace(/\W+/g, '-')}`;
    const error = await rejection(prepare({ runId, submissionId }, deps()));
    expect(error.name).toBe('Airlock.SubmissionRejected');
    expect(error.message).toMatch(reason);
    expect(await stores.keys(`runs/${runId}/`)).toEqual([]);
    const record = await stores.records.getRun(runId);
    expect(record).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(reason) });
  });

  it('rejects an archive over the size limit', async () => {
    const submissionId = await submit(goodArchive());
    const small = { ...DATA_PLANE_LIMITS, archive: { ...DATA_PLANE_LIMITS.archive, maxArchiveBytes: 50 } };
    const error = await rejection(prepare({ runId: 'run-big', submissionId }, deps({ limits: small })));
    expect(error).toEqual({
      name: 'Airlock.SubmissionRejected',
      message: expect.stringMatching(/bytes, over the limit of 50$/),
    });
  });

  it('is idempotent for a retried run and refuses a run ID reused for another submission', async () => {
    const submissionId = await submit(goodArchive());
    await prepare({ runId: 'run-retry', submissionId }, deps());
    await prepare({ runId: 'run-retry', submissionId }, deps());
    expect(await stores.records.getRun('run-retry')).toMatchObject({ status: 'PREPARED' });
    expect(await stores.keys('runs/run-retry/')).toEqual(['runs/run-retry/input.tar.gz']);
    const other = await submit(goodArchive());
    expect(await rejection(prepare({ runId: 'run-retry', submissionId: other }, deps()))).toMatchObject({
      name: 'Airlock.RunConflict',
    });
  });

  it('fails bad input with a named error', async () => {
    expect(await rejection(prepare({ runId: '../x', submissionId: 'a' }, deps()))).toEqual({
      name: 'Airlock.BadRequest',
      message: expect.stringMatching(/runId must be/),
    });
    expect(await rejection(prepare({ runId: 'r', submissionId: 'nope' }, deps()))).toEqual({
      name: 'Airlock.BadRequest',
      message: 'prepare: submission nope does not exist',
    });
    expect(await rejection(prepare({ runId: 'r', submissionId: 's', extra: 1 }, deps()))).toMatchObject({
      name: 'Airlock.BadRequest',
    });
  });
});
