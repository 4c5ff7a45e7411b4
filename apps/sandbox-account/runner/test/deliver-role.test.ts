import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNER_LIMITS } from '../src/limits.js';
import { deliverRole } from '../src/roles/deliver-role.js';
import { CONTAINER_EXIT } from '@airlock/contracts';
import { PresignedFixture } from './presigned-fixture.js';
import { temporaryDirectories } from './temporary-directories.js';

const temporaryDirectory = temporaryDirectories();

const RUN_ID = 'run-1';
const RECORD = {
  schemaVersion: 1,
  status: 'COMPLETED',
  execution: {
    exitCode: 0,
    signal: null,
    timedOut: false,
    durationMs: 12,
    stdout: { tail: 'hi\n', bytes: 3 },
    stderr: { tail: '', bytes: 0 },
  },
};
/** A file outside the volume that a link on the volume points to: its content must never be delivered. */
const SECRET = join(temporaryDirectory('airlock-secret-'), 'result.json');
writeFileSync(SECRET, JSON.stringify({ secret: 'deliver-must-not-read-this' }));

let fixture: PresignedFixture;
beforeAll(async () => {
  fixture = await new PresignedFixture(Buffer.alloc(0)).start();
});
afterAll(() => fixture.close());

/** A scratch volume as run leaves it: its record (none when null) and an empty `out`. */
function volume(record: unknown = RECORD): string {
  const root = temporaryDirectory('airlock-deliver-');
  mkdirSync(join(root, 'out'));
  if (record !== null) writeFileSync(join(root, 'run-record.json'), JSON.stringify(record));
  return root;
}

async function deliver(root: string, overrides: Record<string, string> = {}) {
  const uploadsBefore = fixture.uploads.length;
  let outcome;
  try {
    outcome = await deliverRole({
      OUTPUT_POST: JSON.stringify(fixture.runOutputPost(RUN_ID)),
      RUN_ID,
      AIRLOCK_DATA_URL_PREFIX: fixture.dataUrlPrefix,
      SCRATCH_DIR: root,
      ...overrides,
    });
  } catch (error) {
    outcome = { exitCode: (error as { exitCode?: number }).exitCode, message: (error as Error).message };
  }
  const delivered = fixture.uploads.length > uploadsBefore;
  return { outcome, output: delivered ? fixture.lastOutput() : undefined };
}

describe('the deliver container', () => {
  it("uploads run's record with the submission's result as output.json, with the POST's own fields", async () => {
    const root = volume();
    writeFileSync(join(root, 'out', 'result.json'), JSON.stringify({ answer: 42 }));
    const { outcome, output } = await deliver(root);
    expect(outcome).toEqual({ exitCode: CONTAINER_EXIT.OK, message: 'delivered output.json (COMPLETED)' });
    expect(output).toEqual({ ...RECORD, result: { answer: 42 } });
    expect(fixture.uploads.at(-1)?.fields).toEqual(fixture.formFields(fixture.runOutputPost(RUN_ID)));
  });

  it('delivers a rejected input as REJECTED, reading no result', async () => {
    const root = volume({ schemaVersion: 1, status: 'REJECTED', rejection: 'airlock.json is missing' });
    writeFileSync(join(root, 'out', 'result.json'), '{}');
    expect((await deliver(root)).output).toEqual({
      schemaVersion: 1,
      status: 'REJECTED',
      rejection: 'airlock.json is missing',
    });
  });

  it.each<[string, (root: string) => void, RegExp]>([
    [
      'a symbolic link',
      (root) => symlinkSync(SECRET, join(root, 'out', 'result.json')),
      /^out\/result\.json is not a regular file$/,
    ],
    [
      'a FIFO',
      (root) => execFileSync('mkfifo', [join(root, 'out', 'result.json')]),
      /^out\/result\.json is not a regular file$/,
    ],
    ['a directory', (root) => mkdirSync(join(root, 'out', 'result.json')), /^out\/result\.json is not a regular file$/],
    [
      'an oversized file',
      (root) =>
        writeFileSync(
          join(root, 'out', 'result.json'),
          JSON.stringify({ big: 'y'.repeat(RUNNER_LIMITS.maxResultBytes) }),
        ),
      /^out\/result\.json is \d+ bytes, over the limit of 65536$/,
    ],
    [
      'a file behind a linked directory',
      (root) => {
        execFileSync('rm', ['-r', join(root, 'out')]);
        symlinkSync(join(SECRET, '..'), join(root, 'out'));
      },
      /^out \(on the way to out\/result\.json\) is not a directory$/,
    ],
  ])('refuses %s where the result should be, and still delivers the rest', async (_name, plant, reason) => {
    const root = volume();
    plant(root);
    const { outcome, output } = await deliver(root);
    expect(outcome.exitCode).toBe(CONTAINER_EXIT.OK);
    expect(output).toEqual({ ...RECORD, resultError: expect.stringMatching(reason) });
  });

  it.each<[string, (root: string) => void, RegExp]>([
    ['missing', () => undefined, /^run-record\.json is missing$/],
    [
      'a symbolic link',
      (root) => symlinkSync(SECRET, join(root, 'run-record.json')),
      /^run-record\.json is not a regular file$/,
    ],
    [
      'a FIFO',
      (root) => execFileSync('mkfifo', [join(root, 'run-record.json')]),
      /^run-record\.json is not a regular file$/,
    ],
    ['a directory', (root) => mkdirSync(join(root, 'run-record.json')), /^run-record\.json is not a regular file$/],
    [
      'oversized',
      (root) => writeFileSync(join(root, 'run-record.json'), JSON.stringify({ ...RECORD, pad: 'x'.repeat(200_000) })),
      /^run-record\.json is \d+ bytes, over the limit of 131072$/,
    ],
    [
      'of the wrong shape',
      (root) => writeFileSync(join(root, 'run-record.json'), JSON.stringify({ ...RECORD, extra: 1 })),
      /^run-record\.json has the wrong shape/,
    ],
  ])("exits RECORD_UNUSABLE, uploading nothing, when run's record is %s", async (_name, plant, message) => {
    const root = volume(null);
    plant(root);
    const { outcome, output } = await deliver(root);
    expect(outcome).toEqual({ exitCode: CONTAINER_EXIT.RECORD_UNUSABLE, message: expect.stringMatching(message) });
    expect(output).toBeUndefined();
  });

  it.each<[string, () => unknown]>([
    ["another run's key", () => fixture.runOutputPost('run-2')],
    ['a key outside runs/', () => fixture.runOutputPost(RUN_ID, { key: 'results/run-1/report.json' })],
    ['a second spelling of the key field', () => fixture.runOutputPost(RUN_ID, { Key: 'runs/run-2/output.json' })],
    [
      'another host',
      () => ({
        ...fixture.runOutputPost(RUN_ID),
        url: fixture.runOutputPost(RUN_ID).url.replace('127.0.0.1', 'localhost'),
      }),
    ],
    ['another bucket', () => ({ ...fixture.runOutputPost(RUN_ID), url: fixture.runOutputPost(RUN_ID).url + '-2' })],
  ])('exits URL_REFUSED, uploading nothing, for a POST to %s', async (_name, post) => {
    const { outcome, output } = await deliver(volume(), { OUTPUT_POST: JSON.stringify(post()) });
    expect(outcome).toEqual({
      exitCode: CONTAINER_EXIT.URL_REFUSED,
      message: expect.stringMatching(
        /^OUTPUT_POST must post to http:\/\/127\.0\.0\.1:\d+\/data-bucket\/ with the field key = runs\/run-1\/output\.json/,
      ),
    });
    expect(output).toBeUndefined();
  });

  it("exits UPLOAD_REJECTED when S3 refuses the POST, naming S3's code but never echoing its string to sign", async () => {
    fixture.postStatus = 403;
    try {
      expect((await deliver(volume())).outcome).toEqual({
        exitCode: CONTAINER_EXIT.UPLOAD_REJECTED,
        message: 'output upload rejected: HTTP 403 AccessDenied',
      });
    } finally {
      fixture.postStatus = 204;
    }
  });
});
