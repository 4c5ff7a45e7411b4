import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTAINER_EXIT } from '@airlock/contracts';
import { childrenOf, type Placement, processesWith, spawnInNamespace } from './pid-namespace.js';
import { temporaryDirectories } from './temporary-directories.js';

const temporaryDirectory = temporaryDirectories();

// Built by the `bundle-runner` target, which `test` depends on.
const bundle = fileURLToPath(new URL('../../dist/runner-image/runner.mjs', import.meta.url));
/** The run container keeps this much of the deadline for deliver (RUNNER_LIMITS.uploadReserveMs). */
const UPLOAD_RESERVE_MS = 10_000;

let markers: string[] = [];
afterEach(() => {
  // Whatever a test asserted, nothing of any submission may outlive it.
  const left = markers.flatMap(processesWith);
  markers = [];
  expect(left).toEqual([]);
});

/** A scratch volume as fetch leaves it for `program` (run as `node main.mjs`), and a marker for its processes. */
function fetched(program: (marker: string) => string) {
  const marker = `airlock-test-${Math.random().toString(36).slice(2)}`;
  markers.push(marker);
  const root = temporaryDirectory('airlock-run-');
  for (const dir of ['work', 'out', 'tmp']) mkdirSync(join(root, dir));
  writeFileSync(join(root, 'work', 'main.mjs'), program(marker));
  writeFileSync(
    join(root, 'fetch-record.json'),
    JSON.stringify({ schemaVersion: 1, status: 'READY', entrypoint: ['node', 'main.mjs'] }),
  );
  return { root, marker };
}

function runEnv(root: string, secondsLeft: number) {
  return {
    RUN_DEADLINE: String(Date.now() + UPLOAD_RESERVE_MS + secondsLeft * 1000),
    RUN_MAX_SECONDS: '120',
    SCRATCH_DIR: root,
  };
}

const record = (root: string) =>
  JSON.parse(readFileSync(join(root, 'run-record.json'), 'utf8')) as Record<string, unknown>;

/** A process that only loops, findable by the marker in its command line. */
const looper = (marker: string) => `[process.execPath, ['-e', 'for(;;){}', '${marker}']]`;

describe('the run container (PID 1 of its own PID namespace)', () => {
  // Tested inside a namespace all the same: if the check ever broke, its kill(-1) must not reach this machine.
  it.each<[string, Placement]>([
    ['it is not PID 1', 'not-init'],
    ["/proc is not its namespace's", 'host-proc'],
  ])('refuses to start when %s, touching nothing', async (_name, placement) => {
    const { root } = fetched(() => "import { writeFileSync } from 'node:fs'; writeFileSync('ran', '');");
    const { status, stderr } = await spawnInNamespace(bundle, ['run'], runEnv(root, 20), placement).exited;
    expect(status).toBe(CONTAINER_EXIT.NOT_NAMESPACE_INIT);
    expect(stderr).toContain('run must be PID 1 of its own PID namespace');
    expect(existsSync(join(root, 'work', 'ran'))).toBe(false);
    expect(existsSync(join(root, 'run-record.json'))).toBe(false);
  });

  it('kills a setsid child and a plain background child when the main process exits, and survives SIGSTOP/SIGKILL sent to PID 1', async () => {
    const { root } = fetched(
      (marker) => `
        import { spawn } from 'node:child_process';
        // setsid(2): its own session and process group, out of reach of a group kill.
        spawn(...${looper(marker)}, { detached: true, stdio: 'ignore' });
        spawn(...${looper(marker)}, { stdio: 'ignore' });
        // The kernel drops both: the supervisor is PID 1 and these come from inside its namespace.
        process.kill(1, 'SIGSTOP');
        process.kill(1, 'SIGKILL');
        setTimeout(() => process.exit(7), 300);
      `,
    );
    const { exited } = spawnInNamespace(bundle, ['run'], runEnv(root, 20));
    const { status, stderr } = await exited;
    expect({ status, stderr }).toEqual({
      status: CONTAINER_EXIT.OK,
      stderr: '',
    });
    expect(record(root)).toMatchObject({
      schemaVersion: 1,
      status: 'COMPLETED',
      execution: { exitCode: 7, signal: null, timedOut: false },
    });
  });

  it('kills the submission and everything it started at the deadline', async () => {
    const { root } = fetched(
      (marker) => `
        import { spawn } from 'node:child_process';
        spawn(...${looper(marker)}, { detached: true, stdio: 'inherit' });
        console.log('started');
        for (;;) {}
      `,
    );
    const env = runEnv(root, 4);
    const { status } = await spawnInNamespace(bundle, ['run'], env).exited;
    expect(status).toBe(CONTAINER_EXIT.OK);
    // Killed at the deadline less deliver's reserve, so the run ends before the deadline itself.
    expect(Date.now()).toBeLessThan(Number(env.RUN_DEADLINE));
    expect(record(root)).toMatchObject({
      status: 'TIMED_OUT',
      execution: { exitCode: null, signal: 'SIGKILL', timedOut: true, stdout: { tail: 'started\n' } },
    });
  });

  it('kills everything on SIGTERM (StopTask), records it and exits STOPPED', async () => {
    const { root } = fetched(
      (marker) => `
        import { spawn } from 'node:child_process';
        import { writeFileSync } from 'node:fs';
        spawn(...${looper(marker)}, { detached: true, stdio: 'ignore' });
        writeFileSync(process.env.AIRLOCK_RESULT_FILE, '{}');
        for (;;) {}
      `,
    );
    const { child, exited } = spawnInNamespace(bundle, ['run'], runEnv(root, 60));
    while (!existsSync(join(root, 'out', 'result.json'))) await new Promise((r) => setTimeout(r, 20));
    const [supervisor] = childrenOf(child.pid!);
    process.kill(supervisor!, 'SIGTERM');
    expect((await exited).status).toBe(CONTAINER_EXIT.STOPPED);
    expect(record(root)).toMatchObject({ status: 'COMPLETED', execution: { signal: 'SIGKILL', timedOut: false } });
  });

  it('replaces whatever the submission left at the record path instead of following it', async () => {
    const outside = join(temporaryDirectory('airlock-outside-'), 'target');
    writeFileSync(outside, 'untouched');
    const { root } = fetched(
      () => `
        import { symlinkSync } from 'node:fs';
        symlinkSync(${JSON.stringify(outside)}, '../run-record.json');
      `,
    );
    expect((await spawnInNamespace(bundle, ['run'], runEnv(root, 20)).exited).status).toBe(CONTAINER_EXIT.OK);
    expect(readFileSync(outside, 'utf8')).toBe('untouched');
    expect(record(root)).toMatchObject({ status: 'COMPLETED', execution: { exitCode: 0 } });
  });

  it('gives the submission only its own variables; no process it can see holds a URL', async () => {
    const { root } = fetched(
      () => `
        import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
        const environments = readdirSync('/proc').filter((p) => /^\\d+$/.test(p))
          .map((p) => readFileSync('/proc/' + p + '/environ', 'utf8').split('\\0').filter(Boolean).map((e) => e.split('=')[0]));
        writeFileSync(process.env.AIRLOCK_RESULT_FILE, JSON.stringify({ own: Object.keys(process.env).sort(), environments }));
      `,
    );
    expect((await spawnInNamespace(bundle, ['run'], runEnv(root, 20)).exited).status).toBe(CONTAINER_EXIT.OK);
    const seen = JSON.parse(readFileSync(join(root, 'out', 'result.json'), 'utf8')) as {
      own: string[];
      environments: string[][];
    };
    expect(seen.own).toEqual(['AIRLOCK_INPUT_DIR', 'AIRLOCK_RESULT_FILE', 'HOME', 'PATH', 'TMPDIR']);
    expect(seen.environments.length).toBe(2); // The supervisor and the submission: nothing else is in the namespace.
    expect(seen.environments.flat().filter((name) => /URL|POST|AWS/.test(name))).toEqual([]);
  });

  it('refuses a deadline beyond RUN_MAX_SECONDS', async () => {
    const { root } = fetched(() => "import { writeFileSync } from 'node:fs'; writeFileSync('ran', '');");
    const { status, stderr } = await spawnInNamespace(bundle, ['run'], { ...runEnv(root, 200) }).exited;
    expect(status).toBe(CONTAINER_EXIT.DEADLINE_REFUSED);
    expect(stderr).toMatch(/RUN_DEADLINE is \d+ s away; it must be at most RUN_MAX_SECONDS \(120 s\) from now/);
    expect(existsSync(join(root, 'work', 'ran'))).toBe(false);
  });
});
