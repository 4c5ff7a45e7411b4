import { spawn } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_EXIT } from '@airlock/contracts';
import { deliverRole, MAX_RESULT_DEPTH } from '../src/roles/deliver-role.js';
import { HostileFileError, readHostileFile } from '../src/roles/hostile-file.js';
import { processesWith } from './pid-namespace.js';
import { PresignedFixture } from './presigned-fixture.js';

// Hostile volumes against the deliver container: what the submission could leave on the scratch volume, and what a
// compromised orchestrator could put in OUTPUT_POST. deliver must upload only run's record and a checked result.

const RUN_ID = 'run-1';
const RECORD = {
  schemaVersion: 1,
  status: 'COMPLETED',
  execution: {
    exitCode: 0,
    signal: null,
    timedOut: false,
    durationMs: 12,
    stdout: { tail: '', bytes: 0 },
    stderr: { tail: '', bytes: 0 },
  },
};
const SECRET = 'deliver-must-not-read-this';

let fixture: PresignedFixture;
beforeAll(async () => {
  fixture = await new PresignedFixture(Buffer.alloc(0)).start();
});
afterAll(() => fixture.close());

let dirs: string[] = [];
let markers: string[] = [];
afterEach(() => {
  const left = markers.flatMap(processesWith);
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  [dirs, markers] = [[], []];
  expect(left).toEqual([]);
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-hostile-deliver-'));
  dirs.push(dir);
  return dir;
}

/** A scratch volume as run leaves it: its record and an empty `out`. */
function volume(record: unknown = RECORD): string {
  const root = tempDir();
  mkdirSync(join(root, 'out'));
  writeFileSync(join(root, 'run-record.json'), typeof record === 'string' ? record : JSON.stringify(record));
  return root;
}

async function deliver(root: string, post: unknown = fixture.runOutputPost(RUN_ID)) {
  const uploadsBefore = fixture.uploads.length;
  let outcome;
  try {
    outcome = await deliverRole({
      OUTPUT_POST: JSON.stringify(post),
      RUN_ID,
      AIRLOCK_DATA_URL_PREFIX: fixture.dataUrlPrefix,
      SCRATCH_DIR: root,
    });
  } catch (error) {
    outcome = { exitCode: (error as { exitCode?: number }).exitCode, message: (error as Error).message };
  }
  const delivered = fixture.uploads.length > uploadsBefore;
  return { outcome, output: delivered ? fixture.lastOutput() : undefined };
}

describe('deliver against a hostile scratch volume', () => {
  it('refuses a result hard-linked to another file, and still delivers the rest', async () => {
    const root = volume();
    const elsewhere = join(tempDir(), 'secret.json');
    writeFileSync(elsewhere, JSON.stringify({ secret: SECRET }));
    linkSync(elsewhere, join(root, 'out', 'result.json'));
    const { outcome, output } = await deliver(root);
    expect(outcome.exitCode).toBe(CONTAINER_EXIT.OK);
    expect(output).toEqual({ ...RECORD, resultError: 'out/result.json has 2 hard links; it must have exactly one' });
  });

  it('refuses a record hard-linked to another file, uploading nothing', async () => {
    const root = volume();
    linkSync(join(root, 'run-record.json'), join(root, 'out', 'copy'));
    const { outcome, output } = await deliver(root);
    expect(outcome).toEqual({
      exitCode: CONTAINER_EXIT.RECORD_UNUSABLE,
      message: 'run-record.json has 2 hard links; it must have exactly one',
    });
    expect(output).toBeUndefined();
  });

  it('refuses a huge sparse result by its size, before reading a byte', async () => {
    const root = volume();
    writeFileSync(join(root, 'out', 'result.json'), '');
    truncateSync(join(root, 'out', 'result.json'), 64 * 1024 ** 3);
    const { output } = await deliver(root);
    expect(output).toEqual({
      ...RECORD,
      resultError: `out/result.json is ${64 * 1024 ** 3} bytes, over the limit of 65536`,
    });
  });

  it('passes a result with __proto__ keys on as data: the status stays the record\u2019s', async () => {
    const root = volume();
    const hostile = '{"__proto__": {"status": "FORGED", "polluted": true}, "constructor": {"prototype": {"x": 1}}}';
    writeFileSync(join(root, 'out', 'result.json'), hostile);
    const { output } = await deliver(root);
    expect(output).toEqual({ ...RECORD, result: JSON.parse(hostile) });
    expect(output?.status).toBe('COMPLETED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a record with a __proto__ key, uploading nothing', async () => {
    const root = volume(JSON.stringify(RECORD).replace('{', '{"__proto__":{"x":1},'));
    const { outcome, output } = await deliver(root);
    expect(outcome).toEqual({
      exitCode: CONTAINER_EXIT.RECORD_UNUSABLE,
      message: expect.stringMatching(/^run-record\.json has the wrong shape/),
    });
    expect(output).toBeUndefined();
  });

  it('refuses a result nested too deep to serialize (it would crash deliver), and still delivers the rest', async () => {
    const root = volume();
    writeFileSync(join(root, 'out', 'result.json'), '['.repeat(30_000) + ']'.repeat(30_000));
    const { outcome, output } = await deliver(root);
    expect(outcome.exitCode).toBe(CONTAINER_EXIT.OK);
    expect(output).toEqual({
      ...RECORD,
      resultError: `result.json nests deeper than ${MAX_RESULT_DEPTH} levels of arrays and objects`,
    });
  });

  it(`delivers a result nested exactly ${MAX_RESULT_DEPTH} levels deep`, async () => {
    const root = volume();
    const deepest = JSON.parse('{"a":'.repeat(MAX_RESULT_DEPTH - 1) + '[]' + '}'.repeat(MAX_RESULT_DEPTH - 1));
    writeFileSync(join(root, 'out', 'result.json'), JSON.stringify(deepest));
    expect((await deliver(root)).output).toEqual({ ...RECORD, result: deepest });
  });

  it('never reads through a link or past the bound while the result is swapped and grown under it', async () => {
    const root = volume();
    const secret = join(tempDir(), 'secret.json');
    writeFileSync(secret, JSON.stringify({ secret: SECRET }));
    const marker = `airlock-swapper-${Math.random().toString(36).slice(2)}`;
    markers.push(marker);
    // Atomically swaps out/result.json between a small regular file, a link to the secret and a file that grows.
    const swapper = spawn(
      process.execPath,
      [
        '-e',
        `
        const { appendFileSync, renameSync, symlinkSync, writeFileSync } = require('node:fs');
        const [out, secret] = process.argv.slice(1, 3);
        for (let i = 0; ; i++) {
          writeFileSync(out + '/file', '{"ok":true}');
          renameSync(out + '/file', out + '/result.json');
          symlinkSync(secret, out + '/link');
          renameSync(out + '/link', out + '/result.json');
          writeFileSync(out + '/growing', '');
          renameSync(out + '/growing', out + '/result.json');
          for (let j = 0; j < 20; j++) appendFileSync(out + '/result.json', 'x'.repeat(100));
        }`,
        join(root, 'out'),
        secret,
        marker,
      ],
      { stdio: 'ignore' },
    );
    const seen = new Set<string>();
    try {
      // Until both the link and the small file were met (the swapper's start-up can take seconds under load).
      const metBoth = () => seen.has('out/result.json is not a regular file') && seen.has('the small file');
      const until = Date.now() + 20_000;
      while (Date.now() < until && !metBoth()) {
        try {
          const bytes = readHostileFile(root, ['out', 'result.json'], 1_000);
          expect(bytes === undefined || bytes.length <= 1_000).toBe(true);
          expect(bytes?.toString('utf8') ?? '').not.toContain(SECRET);
          seen.add(bytes?.toString('utf8') === '{"ok":true}' ? 'the small file' : 'other bytes');
        } catch (error) {
          if (!(error instanceof HostileFileError)) throw error;
          seen.add(error.message.replace(/\d+/g, 'N'));
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      swapper.kill('SIGKILL');
      await new Promise((resolve) => swapper.once('exit', resolve));
    }
    // The race was real: the link and the small file were both met.
    expect(seen).toContain('out/result.json is not a regular file');
    expect(seen).toContain('the small file');
  });
});

describe('deliver against a hostile OUTPUT_POST (chosen by a compromised orchestrator)', () => {
  it.each<[string, () => unknown]>([
    [
      'a field named file (S3 would upload it instead of the output)',
      () => fixture.runOutputPost(RUN_ID, { File: JSON.stringify({ forged: true }) }),
    ],
    [
      'a key that climbs out of the run',
      () => fixture.runOutputPost(RUN_ID, { key: 'runs/run-1/../run-2/output.json' }),
    ],
    [
      'a URL with a path after the bucket',
      () => ({ ...fixture.runOutputPost(RUN_ID), url: fixture.dataUrlPrefix + 'runs/' }),
    ],
  ])('exits URL_REFUSED, uploading nothing, for %s', async (_name, post) => {
    const { outcome, output } = await deliver(volume(), post());
    expect(outcome.exitCode).toBe(CONTAINER_EXIT.URL_REFUSED);
    expect(outcome.message).toMatch(/^OUTPUT_POST must/);
    expect(output).toBeUndefined();
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      'the pre-compact shape with all fields',
      () => ({ url: fixture.dataUrlPrefix, fields: {} }),
      /must be JSON: \{"url"/,
    ],
    [
      'a policy that is not JSON',
      () => ({ ...fixture.runOutputPost(RUN_ID), policy: '%%' }),
      /must be a JSON document/,
    ],
    ['a policy without conditions', () => ({ ...fixture.runOutputPost(RUN_ID), policy: '{}' }), /conditions array/],
  ])('exits BAD_ENVIRONMENT, uploading nothing, for %s', async (_name, post, message) => {
    const { outcome, output } = await deliver(volume(), post());
    expect(outcome.exitCode).toBe(CONTAINER_EXIT.BAD_ENVIRONMENT);
    expect(outcome.message).toMatch(message);
    expect(output).toBeUndefined();
  });
});
