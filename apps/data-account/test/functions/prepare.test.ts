import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { tarGz } from '@airlock/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_PLANE_LIMITS } from '../../src/functions/common/limits.js';
import { outputPostFields, submissionRecordItem, type OutputPost, type RunGrant } from '@airlock/contracts';
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

/** Uploads as an operator does: the record with the archive's digest, then the archive. */
async function submit(archive: Buffer, recorded: Buffer = archive): Promise<string> {
  const submissionId = `sub-${++seq}`;
  await stores.dynamodb.send(
    new PutItemCommand({
      TableName: stores.table,
      Item: submissionRecordItem({
        submissionId,
        sha256: createHash('sha256').update(recorded).digest('hex'),
        bytes: recorded.length,
        submitter: 'arn:aws:iam::333333333333:role/operator',
        receivedAt: new Date(NOW),
        retentionDays: 30,
      }),
    }),
  );
  await stores.put(`uploads/${submissionId}.tar.gz`, archive);
  return submissionId;
}

const submissionStatus = async (submissionId: string) =>
  (
    await stores.dynamodb.send(
      new GetItemCommand({ TableName: stores.table, Key: { pk: { S: `submission#${submissionId}` } } }),
    )
  ).Item;

function deps(
  overrides: Partial<PrepareDeps> = {},
): PrepareDeps & { grants: Array<{ expiresInSeconds: number; deadline: number }> } {
  const grants: Array<{ expiresInSeconds: number; deadline: number }> = [];
  return {
    s3: stores.s3,
    records: stores.records,
    bucket: stores.bucket,
    runTimeoutSeconds: 300,
    runRetentionDays: 90,
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

  it('derives the URL lifetime from the run window: the longest configurable run stays under an hour', async () => {
    const longest = deps({ runTimeoutSeconds: 3000 });
    await prepare({ runId: 'run-long', submissionId: await submit(goodArchive()) }, longest);
    expect(longest.grants[0]!.expiresInSeconds).toBe(3000 + 180 + 60);
  });

  it("refuses a canary- run of a customer's submission before claiming it: canary roles read every canary- report", async () => {
    const submissionId = await submit(goodArchive());
    const refused = deps();
    const error = await rejection(prepare({ runId: 'canary-steal', submissionId }, refused));
    expect(error).toEqual({
      name: 'Airlock.BadRequest',
      message: `prepare: run canary-steal is a canary run, but submission ${submissionId} is not a canary's`,
    });
    expect(refused.grants).toEqual([]);
    expect(await submissionStatus(submissionId)).toMatchObject({ status: { S: 'UPLOADED' } });
    expect(await stores.records.getRun('canary-steal')).toBeUndefined();
  });

  it('claims the submission for its run; a second prepare of it fails clearly and gets no URL', async () => {
    const submissionId = await submit(goodArchive());
    await prepare({ runId: 'run-claim', submissionId }, deps());
    expect(await submissionStatus(submissionId)).toMatchObject({
      status: { S: 'CLAIMED' },
      claimedBy: { S: 'run-claim' },
    });

    const replay = deps();
    const error = await rejection(prepare({ runId: 'run-replay', submissionId }, replay));
    expect(error).toEqual({
      name: 'Airlock.RunConflict',
      message:
        `prepare: submission ${submissionId} was already claimed by run run-claim: a submission runs once. ` +
        'Fix: upload it again under a new submission ID',
    });
    expect(replay.grants).toEqual([]);
    expect(await stores.keys('runs/run-replay/')).toEqual([]);
    expect(await stores.records.getRun('run-replay')).toMatchObject({
      status: 'FAILED',
      reason: expect.stringMatching(/already claimed by run run-claim/),
    });
  });

  it('refuses an archive that changed after upload: its SHA-256 is not the one recorded', async () => {
    const uploaded = goodArchive();
    const swapped = tarGz([{ path: 'airlock.json', content: '{"entrypoint":["node","evil.mjs"]}' }]);
    const submissionId = await submit(swapped, uploaded);
    const error = await rejection(prepare({ runId: 'run-swapped', submissionId }, deps()));
    const recorded = createHash('sha256').update(uploaded).digest('hex');
    const found = createHash('sha256').update(swapped).digest('hex');
    expect(error).toEqual({
      name: 'Airlock.SubmissionRejected',
      message:
        `submission ${submissionId} rejected: the uploaded archive does not match the SHA-256 recorded at upload ` +
        `(recorded ${recorded}, found ${found}); it changed after upload. Fix: upload it again under a new submission ID`,
    });
    expect(await stores.keys('runs/run-swapped/')).toEqual([]);
    expect(await stores.records.getRun('run-swapped')).toMatchObject({ status: 'FAILED' });
  });

  it('gives each run record a fresh attempt ID and the input digest, which its report must repeat', async () => {
    const archive = goodArchive();
    await prepare({ runId: 'run-attempt', submissionId: await submit(archive) }, deps());
    expect(await stores.records.getRun('run-attempt')).toMatchObject({
      inputSha256: createHash('sha256').update(archive).digest('hex'),
      attempt: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
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
    // The other submission was not claimed by a run that is not its own: it still waits to run.
    expect(await submissionStatus(other)).toMatchObject({ status: { S: 'UPLOADED' } });
  });

  describe('a record written by a canary role (which may write canary-* submission records)', () => {
    it("refuses a record whose archiveKey names another object (a customer's upload) than its own upload", async () => {
      const archive = goodArchive();
      const customer = await submit(archive);
      await stores.dynamodb.send(
        new PutItemCommand({
          TableName: stores.table,
          Item: {
            ...submissionRecordItem({
              submissionId: 'canary-forged',
              sha256: createHash('sha256').update(archive).digest('hex'),
              bytes: archive.length,
              submitter: 'arn:aws:sts::333333333333:assumed-role/airlock-example-data-canary/c',
              receivedAt: new Date(NOW),
              retentionDays: 30,
            }),
            archiveKey: { S: `uploads/${customer}.tar.gz` },
          },
        }),
      );
      expect(await rejection(prepare({ runId: 'canary-forged-run', submissionId: 'canary-forged' }, deps()))).toEqual({
        name: 'Airlock.BadRequest',
        message:
          `prepare: submission canary-forged's record names archiveKey uploads/${customer}.tar.gz, not its own ` +
          'upload uploads/canary-forged.tar.gz. Fix: upload it again under a new submission ID',
      });
      expect(await stores.keys('runs/canary-forged-run/')).toEqual([]);
      expect(await stores.records.getRun('canary-forged-run')).toBeUndefined();
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
