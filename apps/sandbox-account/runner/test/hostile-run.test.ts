import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTAINER_EXIT, SUBMISSION_LIMITS } from '@airlock/contracts';
import { childrenOf, processesWith } from './pid-namespace.js';
import { giveToTaskUser, spawnAsTaskUser } from './task-user.js';

// Hostile submissions against the run container, run as Fargate runs it (uid 10001, no capabilities, PID 1 of its
// own PID namespace): each attack is refused or contained, and nothing it started outlives its test.

// Built by the `bundle-runner` target, which `test` depends on.
const bundle = fileURLToPath(new URL('../../dist/runner-image/runner.mjs', import.meta.url));
/** The run container keeps this much of the deadline for deliver (RUNNER_LIMITS.uploadReserveMs). */
const UPLOAD_RESERVE_MS = 10_000;
/** What the runner keeps of each stream (RUNNER_LIMITS.outputTailBytes). */
const TAIL_BYTES = SUBMISSION_LIMITS.outputTailBytes;

let markers: string[] = [];
let namespaces: number[] = [];
let cleanups: (() => void)[] = [];
afterEach(async () => {
  // A failed assertion must not leave a namespace behind: its PID 1 dying takes every process in it along.
  for (const pid of namespaces.flatMap(childrenOf)) process.kill(pid, 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const left = markers.flatMap(processesWith);
  cleanups.forEach((cleanup) => cleanup());
  [markers, namespaces, cleanups] = [[], [], []];
  expect(left).toEqual([]);
});

/** A scratch volume (at `root`, or a new temp dir) as fetch leaves it for `program`, owned by the task user. */
function fetched(program: (marker: string) => string, root?: string) {
  const marker = `airlock-hostile-${Math.random().toString(36).slice(2)}`;
  markers.push(marker);
  const volume = root ?? mkdtempSync(join(tmpdir(), 'airlock-hostile-'));
  if (!root) cleanups.push(() => rmSync(volume, { recursive: true, force: true }));
  for (const dir of ['work', 'out', 'tmp']) mkdirSync(join(volume, dir));
  writeFileSync(join(volume, 'work', 'main.mjs'), program(marker));
  writeFileSync(
    join(volume, 'fetch-record.json'),
    JSON.stringify({ schemaVersion: 1, status: 'READY', entrypoint: ['node', 'main.mjs'] }),
  );
  giveToTaskUser(volume);
  return { root: volume, marker };
}

function runEnv(root: string, secondsLeft: number): Record<string, string> {
  return {
    RUN_DEADLINE: String(Date.now() + UPLOAD_RESERVE_MS + secondsLeft * 1000),
    RUN_MAX_SECONDS: '120',
    SCRATCH_DIR: root,
  };
}

function run(env: Record<string, string>) {
  const spawned = spawnAsTaskUser(bundle, ['run'], env);
  namespaces.push(spawned.child.pid!);
  return spawned;
}

const record = (root: string) =>
  JSON.parse(readFileSync(join(root, 'run-record.json'), 'utf8')) as Record<string, unknown>;
const result = (root: string) =>
  JSON.parse(readFileSync(join(root, 'out', 'result.json'), 'utf8')) as Record<string, unknown>;

describe('a hostile submission against its supervisor (uid 10001, PID 1 of the namespace)', () => {
  it('cannot open a debugger in PID 1 with SIGUSR1, nor stop it with any signal PID 1 does not handle', async () => {
    const { root } = fetched(
      () => `
        import { readFileSync, writeFileSync } from 'node:fs';
        // A connection the far end drops leaves undici nothing to wait on: keep the loop alive until the end.
        setInterval(() => {}, 1000);
        for (const signal of ['SIGUSR1', 'SIGSTOP', 'SIGKILL', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR2']) {
          process.kill(1, signal);
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
        // Every TCP port anything listens on in the task's network namespace, the inspector's default first.
        const listening = readFileSync('/proc/net/tcp', 'utf8').split('\\n').slice(1)
          .map((line) => line.trim().split(/\\s+/)).filter((f) => f[3] === '0A')
          .map((f) => parseInt(f[1].split(':')[1], 16));
        const answers = [];
        for (const port of [9229, ...listening]) {
          try {
            const response = await fetch('http://127.0.0.1:' + port + '/json/list', { signal: AbortSignal.timeout(1000) });
            answers.push({ port, status: response.status, body: (await response.text()).slice(0, 100) });
          } catch (error) {
            answers.push({ port, refused: error.cause?.code ?? error.name });
          }
        }
        writeFileSync(process.env.AIRLOCK_RESULT_FILE, JSON.stringify({ listening, answers }));
        process.exit(7);
      `,
    );
    const { status, stderr } = await run(runEnv(root, 20)).exited;
    const seen = result(root) as { listening: number[]; answers: { port: number; status?: number }[] };
    expect(seen.answers.filter((answer) => answer.status !== undefined)).toEqual([]);
    // The held port is the one the inspector would take: it was probed, and dropped the connection.
    expect(seen.listening.length).toBe(1);
    expect(stderr).toMatch(/Starting inspector on 127\.0\.0\.1:\d+ failed: address already in use/);
    expect(status).toBe(CONTAINER_EXIT.OK);
    expect(record(root)).toMatchObject({ status: 'COMPLETED', execution: { exitCode: 7, timedOut: false } });
  });

  it.each<[string, (marker: string) => string]>([
    [
      'a fork chaser (each process starts the next and exits)',
      (marker) => `
        import { spawn } from 'node:child_process';
        import { writeFileSync } from 'node:fs';
        writeFileSync('chase-${marker}.sh', 'sh "$0" & exit 0\\n');
        spawn('sh', ['chase-${marker}.sh'], { stdio: 'ignore' });
        for (;;) {}
      `,
    ],
    [
      'a double fork (the grandchild is re-parented to PID 1)',
      (marker) => `
        import { spawnSync } from 'node:child_process';
        spawnSync('sh', ['-c', '("$0" -e "for(;;){}" ${marker} &)', process.execPath]);
        for (;;) {}
      `,
    ],
    [
      'a process in a nested user and PID namespace',
      (marker) => `
        import { spawn, spawnSync } from 'node:child_process';
        import { writeFileSync } from 'node:fs';
        const reachable = spawnSync('unshare', ['--user', '--map-root-user', '--pid', '--fork', 'true']).status === 0;
        writeFileSync(process.env.AIRLOCK_RESULT_FILE, JSON.stringify({ reachable }));
        spawn('unshare', ['--user', '--map-root-user', '--pid', '--fork', '--mount-proc',
          process.execPath, '-e', 'for(;;){}', '${marker}'], { detached: true, stdio: 'ignore' });
        for (;;) {}
      `,
    ],
  ])('is killed with everything it started at the deadline: %s', async (_name, program) => {
    const { root, marker } = fetched(program);
    const env = runEnv(root, 3);
    const { child, exited } = run(env);
    // The attack is under way before the deadline: the escaping process exists.
    while (processesWith(marker).length === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    const { status } = await exited;
    expect(status).toBe(CONTAINER_EXIT.OK);
    expect(record(root)).toMatchObject({ status: 'TIMED_OUT', execution: { signal: 'SIGKILL', timedOut: true } });
    if (existsSync(join(root, 'out', 'result.json'))) {
      // Unprivileged user namespaces are open on this kernel (and perhaps on Fargate's): the nested one was real.
      expect(result(root)).toEqual({ reachable: true });
    }
  });

  it('leaves no survivor and no stuck supervisor after a flood of orphaned zombies, which PID 1 never reaps', async () => {
    const { root } = fetched(
      () => `
        import { execFileSync } from 'node:child_process';
        import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
        execFileSync('sh', ['-c', 'for i in $(seq 150); do (sleep 0.1 &); done']);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const zombies = readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).filter((p) => {
          try { return / Z 1 /.test(readFileSync('/proc/' + p + '/stat', 'utf8')); } catch { return false; }
        }).length;
        writeFileSync(process.env.AIRLOCK_RESULT_FILE, JSON.stringify({ zombies }));
      `,
    );
    const { status, stderr } = await run(runEnv(root, 30)).exited;
    expect(result(root).zombies).toBeGreaterThanOrEqual(120);
    expect({ status, stderr }).toEqual({ status: CONTAINER_EXIT.OK, stderr: '' });
    expect(record(root)).toMatchObject({ status: 'COMPLETED', execution: { exitCode: 0 } });
  });

  it('keeps only a bounded tail of 100 MB on stdout and on stderr, in bounded memory', async () => {
    const { root } = fetched(
      () => `
        const chunk = Buffer.alloc(1024 * 1024, 'x');
        const flood = async (stream) => { for (let i = 0; i < 100; i++) if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r)); };
        await Promise.all([flood(process.stdout), flood(process.stderr)]);
        process.stdout.write('last line\\n');
      `,
    );
    const { child, exited } = run(runEnv(root, 60));
    let peakKib = 0;
    const sampler = setInterval(() => {
      for (const pid of childrenOf(child.pid!)) {
        try {
          const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
          peakKib = Math.max(peakKib, Number(rss?.[1] ?? 0));
        } catch {
          // The supervisor has exited.
        }
      }
    }, 20);
    const { status } = await exited;
    clearInterval(sampler);
    expect(status).toBe(CONTAINER_EXIT.OK);
    const { execution } = record(root) as {
      execution: { stdout: { tail: string; bytes: number }; stderr: { tail: string; bytes: number } };
    };
    expect(execution.stdout.bytes).toBe(100 * 1024 * 1024 + 'last line\n'.length);
    expect(execution.stderr.bytes).toBe(100 * 1024 * 1024);
    expect(execution.stdout.tail).toMatch(/^x+last line\n$/);
    expect(execution.stdout.tail.length).toBe(TAIL_BYTES);
    expect(execution.stderr.tail.length).toBe(TAIL_BYTES);
    expect(peakKib).toBeGreaterThan(0);
    expect(peakKib).toBeLessThan(150 * 1024);
  });
});

describe("the supervisor's environment and record (what the submission can read and write as the same uid)", () => {
  it.each<[string, Record<string, string>, string]>([
    ['INPUT_URL', { INPUT_URL: 'https://bucket.s3.amazonaws.com/runs/r/input.tar.gz?X-Amz-Signature=00' }, 'INPUT_URL'],
    ['OUTPUT_POST', { OUTPUT_POST: '{"url":"https://bucket.s3.amazonaws.com/","fields":{}}' }, 'OUTPUT_POST'],
    ['task-role credentials', { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' }, 'AWS_CONTAINER'],
    ['a presigned URL under another name', { NOTES: 'see ?X-Amz-Credential=AKIA%2F' }, 'NOTES'],
  ])('refuses to start when its environment holds %s, running nothing', async (_name, extra, named) => {
    const { root } = fetched(() => "import { writeFileSync } from 'node:fs'; writeFileSync('ran', '');");
    const { status, stderr } = await run({ ...runEnv(root, 20), ...extra }).exited;
    expect(status).toBe(CONTAINER_EXIT.BAD_ENVIRONMENT);
    expect(stderr).toContain(`${named}`);
    expect(stderr).toContain('must not be set for run: the submission can read run');
    expect(existsSync(join(root, 'work', 'ran'))).toBe(false);
  });

  it('shows the submission, in /proc/1/environ and /proc/1/cmdline, no URL, signature or credential', async () => {
    const { root } = fetched(
      () => `
        import { readFileSync, writeFileSync } from 'node:fs';
        writeFileSync(process.env.AIRLOCK_RESULT_FILE, JSON.stringify({
          environ: readFileSync('/proc/1/environ', 'utf8').split('\\0').filter(Boolean),
          cmdline: readFileSync('/proc/1/cmdline', 'utf8').split('\\0').filter(Boolean),
        }));
      `,
    );
    expect((await run(runEnv(root, 20)).exited).status).toBe(CONTAINER_EXIT.OK);
    const { environ, cmdline } = result(root) as { environ: string[]; cmdline: string[] };
    // PWD is set by the shell that starts the container in this test.
    expect(environ.map((entry) => entry.split('=')[0]).sort()).toEqual([
      'PWD',
      'RUN_DEADLINE',
      'RUN_MAX_SECONDS',
      'SCRATCH_DIR',
    ]);
    expect(cmdline.slice(1)).toEqual([bundle, 'run']);
  });

  it.each<[string, string]>([
    [
      'a forged record, then the write bit taken off the volume root',
      `writeFileSync('../run-record.json', forged); chmodSync('..', 0o555);`,
    ],
    [
      'a locked directory tree at the record path',
      `mkdirSync('../run-record.json/locked', { recursive: true }); writeFileSync('../run-record.json/locked/x', forged);
       chmodSync('../run-record.json/locked', 0); chmodSync('../run-record.json', 0o500);`,
    ],
  ])('records its real exit, never what it left: %s', async (_name, plant) => {
    const { root } = fetched(
      () => `
        import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
        const forged = JSON.stringify({ schemaVersion: 1, status: 'COMPLETED', execution: { exitCode: 0, signal: null,
          timedOut: false, durationMs: 1, stdout: { tail: 'forged', bytes: 6 }, stderr: { tail: '', bytes: 0 } } });
        ${plant}
        process.exit(3);
      `,
    );
    const { status, stderr } = await run(runEnv(root, 20)).exited;
    expect({ status, stderr }).toEqual({ status: CONTAINER_EXIT.OK, stderr: '' });
    expect(record(root)).toMatchObject({ status: 'COMPLETED', execution: { exitCode: 3, stdout: { tail: '' } } });
  });

  it('writes no record, and says why, when the submission filled the scratch volume', async () => {
    const volume = mkdtempSync(join(tmpdir(), 'airlock-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'tmpfs', volume]);
    cleanups.push(() => {
      execFileSync('umount', [volume]);
      rmSync(volume, { recursive: true, force: true });
    });
    const { root } = fetched(
      () => `
        import { writeFileSync } from 'node:fs';
        const chunk = Buffer.alloc(4096);
        for (let i = 0; ; i++) {
          try { writeFileSync('../filler-' + i, chunk); } catch { break; }
        }
      `,
      volume,
    );
    const { status, stderr } = await run(runEnv(root, 20)).exited;
    expect(status).toBe(CONTAINER_EXIT.RECORD_UNUSABLE);
    expect(stderr).toMatch(
      /cannot write run-record\.json: ENOSPC \(the submission may have filled the scratch volume\)/,
    );
    // Nothing for deliver to find: it exits RECORD_UNUSABLE and uploads nothing.
    expect(existsSync(join(root, 'run-record.json'))).toBe(false);
  });
});
