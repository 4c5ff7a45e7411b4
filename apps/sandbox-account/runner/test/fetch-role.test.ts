import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRole } from '../src/roles/fetch-role.js';
import { CONTAINER_EXIT } from '@airlock/contracts';
import { submission } from './archives.js';
import { PresignedFixture } from './presigned-fixture.js';
import { temporaryDirectories } from './temporary-directories.js';

const temporaryDirectory = temporaryDirectories();

const RUN_ID = 'run-1';
let fixture: PresignedFixture;
beforeAll(async () => {
  fixture = await new PresignedFixture(submission("console.log('hi')")).start();
});
afterAll(() => fixture.close());

/** The fetch container's variables for run-1, with `overrides` applied. */
function fetchEnv(overrides: Record<string, string> = {}) {
  return {
    INPUT_URL: fixture.runInputUrl(RUN_ID),
    RUN_ID,
    RUN_DEADLINE: String(Date.now() + 60_000),
    AIRLOCK_DATA_URL_PREFIX: fixture.dataUrlPrefix,
    RUN_MAX_SECONDS: '120',
    SCRATCH_DIR: temporaryDirectory('airlock-fetch-'),
    ...overrides,
  };
}

/** Runs fetch; a refusal comes back as its exit code and message, as main() reports it. */
async function fetchOutcome(env: Record<string, string>) {
  try {
    return await fetchRole(env);
  } catch (error) {
    return { exitCode: (error as { exitCode?: number }).exitCode, message: (error as Error).message };
  }
}

describe('the fetch container', () => {
  it("downloads, checks and extracts this run's input, and records the entrypoint for run", async () => {
    const env = fetchEnv();
    expect(await fetchRole(env)).toEqual({ exitCode: CONTAINER_EXIT.OK, message: 'input extracted' });
    expect(readFileSync(join(env.SCRATCH_DIR, 'work', 'main.mjs'), 'utf8')).toBe("console.log('hi')");
    expect(JSON.parse(readFileSync(join(env.SCRATCH_DIR, 'fetch-record.json'), 'utf8'))).toEqual({
      schemaVersion: 1,
      status: 'READY',
      entrypoint: ['node', 'main.mjs'],
    });
  });

  it('records a rejected archive for delivery and extracts nothing', async () => {
    fixture.setInput(submission('', [{ path: '../escape.txt', content: 'x' }]));
    try {
      const env = fetchEnv();
      expect(await fetchRole(env)).toEqual({ exitCode: CONTAINER_EXIT.OK, message: 'input rejected' });
      expect(JSON.parse(readFileSync(join(env.SCRATCH_DIR, 'fetch-record.json'), 'utf8'))).toEqual({
        schemaVersion: 1,
        status: 'REJECTED',
        rejection: expect.stringMatching(/contains a "\.\." segment/),
      });
      expect(readdirSync(join(env.SCRATCH_DIR, 'work'))).toEqual([]);
    } finally {
      fixture.setInput(submission("console.log('hi')"));
    }
  });

  it.each<[string, () => Record<string, string>, number, RegExp]>([
    [
      'a foreign host',
      () => ({ INPUT_URL: fixture.runInputUrl(RUN_ID).replace('127.0.0.1', 'localhost') }),
      CONTAINER_EXIT.URL_REFUSED,
      /^INPUT_URL must be http:\/\/127\.0\.0\.1:\d+\/data-bucket\/runs\/run-1\/input\.tar\.gz followed by/,
    ],
    [
      "another run's path",
      () => ({ INPUT_URL: fixture.runInputUrl('run-2') }),
      CONTAINER_EXIT.URL_REFUSED,
      /^INPUT_URL must be/,
    ],
    [
      'another object of this run',
      () => ({ INPUT_URL: fixture.runInputUrl(RUN_ID).replace('input.tar.gz', 'output.json') }),
      CONTAINER_EXIT.URL_REFUSED,
      /^INPUT_URL must be/,
    ],
    [
      'a longer path after the key',
      () => ({ INPUT_URL: fixture.runInputUrl(RUN_ID).replace('input.tar.gz', 'input.tar.gz/../../x') }),
      CONTAINER_EXIT.URL_REFUSED,
      /^INPUT_URL must be/,
    ],
    [
      'a deadline beyond RUN_MAX_SECONDS',
      () => ({ RUN_DEADLINE: String(Date.now() + 121_000) }),
      CONTAINER_EXIT.DEADLINE_REFUSED,
      /^RUN_DEADLINE is 121 s away; it must be at most RUN_MAX_SECONDS \(120 s\) from now$/,
    ],
    [
      'a deadline in the past',
      () => ({ RUN_DEADLINE: String(Date.now() - 1) }),
      CONTAINER_EXIT.DEADLINE,
      /^RUN_DEADLINE has passed/,
    ],
    ['an invalid RUN_ID', () => ({ RUN_ID: '../run-1' }), CONTAINER_EXIT.BAD_ENVIRONMENT, /^RUN_ID must be a run ID: /],
    [
      'a prefix that is not a bucket URL',
      () => ({ AIRLOCK_DATA_URL_PREFIX: `${fixture.dataUrlPrefix}?x=1` }),
      CONTAINER_EXIT.BAD_ENVIRONMENT,
      /^AIRLOCK_DATA_URL_PREFIX must be the data bucket's object-URL prefix/,
    ],
    [
      'no RUN_MAX_SECONDS',
      () => ({ RUN_MAX_SECONDS: '' }),
      CONTAINER_EXIT.BAD_ENVIRONMENT,
      /^RUN_MAX_SECONDS must be a whole number of seconds from 1 to 3600/,
    ],
  ])('refuses %s before downloading anything', async (_name, overrides, exitCode, message) => {
    const downloadsBefore = fixture.downloads.length;
    const env = fetchEnv(overrides());
    const outcome = await fetchOutcome(env);
    expect(outcome).toEqual({ exitCode, message: expect.stringMatching(message) });
    expect(fixture.downloads.length).toBe(downloadsBefore);
    expect(existsSync(join(env.SCRATCH_DIR, 'fetch-record.json'))).toBe(false);
  });
});
