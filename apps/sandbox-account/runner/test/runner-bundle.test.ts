import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_EXIT } from '@airlock/contracts';
import { submission } from './archives.js';
import { spawnInNamespace } from './pid-namespace.js';
import { PresignedFixture } from './presigned-fixture.js';

// Built by the `bundle-runner` target, which `test` depends on.
const bundle = fileURLToPath(new URL('../../dist/runner-image/runner.mjs', import.meta.url));
const meta = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../dist/runner-meta.json', import.meta.url)), 'utf8'),
) as {
  inputs: Record<string, unknown>;
};

let fixture: PresignedFixture;
beforeAll(async () => {
  fixture = await new PresignedFixture(submission("console.log('hi')")).start();
});
afterAll(() => fixture.close());

/** Runs the bundle as the container would: an environment of the three overrides and nothing else. */
function runBundle(env: Record<string, string>) {
  return spawnSync(process.execPath, [bundle], {
    env: { SCRATCH_DIR: mkdtempSync(join(tmpdir(), 'airlock-bundle-')), ...env },
    encoding: 'utf8',
  });
}

describe('the runner bundle (the file the image runs)', () => {
  it('exits BAD_ENVIRONMENT, naming the roles, without a role argument', () => {
    const result = runBundle({});
    expect(result.status).toBe(CONTAINER_EXIT.BAD_ENVIRONMENT);
    expect(result.stderr).toContain('the container command must be one of fetch, run, deliver');
  });

  it('runs the three containers in order on one scratch volume, each with only its own variables', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'airlock-task-'));
    const deadline = String(Date.now() + 30_000);
    const fixed = { AIRLOCK_DATA_URL_PREFIX: fixture.dataUrlPrefix, RUN_MAX_SECONDS: '120', SCRATCH_DIR: scratch };
    const uploadsBefore = fixture.uploads.length;
    const fetched = await runBundleAsync(
      { INPUT_URL: fixture.runInputUrl('run-7'), RUN_ID: 'run-7', RUN_DEADLINE: deadline, ...fixed },
      ['fetch'],
    );
    expect(fetched.status).toBe(CONTAINER_EXIT.OK);
    const ran = await spawnInNamespace(bundle, ['run'], {
      RUN_DEADLINE: deadline,
      RUN_MAX_SECONDS: fixed.RUN_MAX_SECONDS,
      SCRATCH_DIR: scratch,
    }).exited;
    expect(ran).toEqual({ status: CONTAINER_EXIT.OK, stderr: '' });
    const delivered = await runBundleAsync(
      { OUTPUT_POST: JSON.stringify(fixture.runOutputPost('run-7')), RUN_ID: 'run-7', ...fixed },
      ['deliver'],
    );
    expect(delivered.status).toBe(CONTAINER_EXIT.OK);
    expect(fixture.uploads.length).toBe(uploadsBefore + 1);
    expect(fixture.uploads.at(-1)?.fields.key).toBe('runs/run-7/output.json');
    expect(fixture.lastOutput()).toMatchObject({
      status: 'COMPLETED',
      execution: { exitCode: 0, stdout: { tail: 'hi\n' } },
    });
  });

  it('exits BAD_ENVIRONMENT, naming the roles, for an unknown role', () => {
    const result = spawnSync(process.execPath, [bundle, 'exec'], { env: {}, encoding: 'utf8' });
    expect(result.status).toBe(CONTAINER_EXIT.BAD_ENVIRONMENT);
    expect(result.stderr).toContain('unknown role "exec": the container command must be one of fetch, run, deliver');
  });

  it('contains no AWS SDK and no credentials code', () => {
    const inputs = Object.keys(meta.inputs);
    expect(inputs.length).toBeGreaterThan(5);
    expect(inputs.filter((i) => /@aws-sdk|@smithy|aws-cdk-lib/.test(i))).toEqual([]);
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|fromInstanceMetadata/);
  });
});

// spawnSync would block the fixture's server in this same process; run the bundle asynchronously instead.
function runBundleAsync(env: Record<string, string>, args: string[] = []): Promise<{ status: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle, ...args], {
      env: { SCRATCH_DIR: mkdtempSync(join(tmpdir(), 'airlock-bundle-')), ...env },
      stdio: 'ignore',
    });
    child.on('close', (status) => resolve({ status }));
  });
}
