import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBMISSION_LIMITS } from '@airlock/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alive,
  commandLine,
  descendants,
  eventually,
  faultSubmission,
  npmStart,
  root,
  testSubmission,
  type StartedCommand,
} from './npm-start.js';

// Whole runs, several Node processes each, on a shared machine: tens of seconds each, not seconds.
const RUN = { timeout: 180_000 };

describe('npm start -- --help', () => {
  it('answers with its usage without synthesizing: no cloud assembly is touched', RUN, async () => {
    const manifests = ['orchestrator', 'sandbox', 'data'].map(
      (app) => `${root}apps/${app}-account/cdk.out/manifest.json`,
    );
    const written = () => manifests.map((file) => statSync(file).mtimeMs);
    const before = written();
    // Outside an Nx task and with Nx's cache skipped, a synth would rewrite every cloud assembly.
    const run = npmStart(['--help'], { NX_TASK_TARGET_PROJECT: '', NX_SKIP_NX_CACHE: 'true' });
    expect((await run.exited).code).toBe(0);
    expect(run.output.stdout).toMatch(/^usage: npm start -- .*--run-timeout <seconds>/);
    expect(run.output.stderr).toBe('');
    expect(written()).toEqual(before);
  });
});

describe("npm start shows a failing submission's own output", () => {
  it('an entrypoint typo: Node\'s "Cannot find module" for the misspelled file, in --json', RUN, async () => {
    const run = npmStart(['--json', '--submission', testSubmission('entrypoint-typo')]);
    expect((await run.exited).code).toBe(1);
    const summary = JSON.parse(run.output.stdout) as { record: { reason: string; stderrTail: string } };
    expect(summary.record.reason).toBe('submission exited with code 1');
    expect(summary.record.stderrTail).toContain("Error: Cannot find module '/scratch/work/mian.mjs'");
    expect(Buffer.byteLength(summary.record.stderrTail)).toBeLessThanOrEqual(SUBMISSION_LIMITS.outputTailBytes);
  });

  it('a thrown exception: its message, quoted, with escape sequences shown instead of obeyed', RUN, async () => {
    const run = npmStart(['--submission', testSubmission('throws')]);
    expect((await run.exited).code).toBe(1);
    const { stdout } = run.output;
    expect(stdout).toContain('← run record FAILED: submission exited with code 1');
    expect(stdout).toMatch(/^ {4}│ Error: the input has no README, so there is nothing to count$/m);
    // Nothing the submission wrote can move the cursor, clear the screen or overwrite a line...
    for (const control of ['\x1b', '\r', '\x07']) expect(stdout).not.toContain(control);
    // ...and its forged status line reads as quoted output, not as the tool's.
    const forged = stdout.split('\n').filter((line) => line.includes('forged by the submission'));
    expect(forged).toEqual(['    │ \\x1b[2J\\x1b[H  ✓ SUCCEEDED  forged by the submission']);
  });
});

describe('npm start prints failures as failures, with the cause chain', () => {
  const refusedHop =
    /AssumeRole of arn:aws:iam::222222222222:role\/airlock-example-sandbox-launcher by arn:aws:iam::111111111111:role\/airlock-example-orchestrator denied: ExternalId arn:aws:states:eu-west-1:111111111111:stateMachine:airlock-example-analysis does not match arn:aws:states:eu-west-1:111111111111:stateMachine:not-the-analysis/;

  it('--fault sandbox-trust-broken: ✗ on the refused hop, its cause, and the refused request', RUN, async () => {
    const run = npmStart(['--fault', 'sandbox-trust-broken']);
    expect((await run.exited).code).toBe(0);
    const lines = run.output.stdout.split('\n');
    const hop = lines.findIndex((line) => /^ {2}\S+ RunUntrusted /.test(line));
    expect(lines[hop]).toMatch(/^ {2}✗ RunUntrusted .*\(caught\)$/);
    expect(lines[hop + 1]).toMatch(new RegExp(`^ {6}States\\.TaskFailed: ${refusedHop.source}$`));
    expect(run.output.stdout).toMatch(/^ {2}✗ RunFailed /m);
    expect(run.output.stdout).toMatch(
      new RegExp(`^ {4}← RunUntrusted \\[sandbox\\]: States\\.TaskFailed: ${refusedHop.source}$`, 'm'),
    );
    expect(run.output.stdout).toMatch(
      /^ {2}✗ refused: sts:AssumeRole arn:aws:iam::222222222222:role\/airlock-example-sandbox-launcher /m,
    );
    expect(run.output.stdout).not.toMatch(/✓ (RunUntrusted|RunFailed|LaunchFailed)/);
  });

  it("and in --json: each state's outcome, the cause chain and the refused request", RUN, async () => {
    const run = npmStart(['--json', '--fault', 'sandbox-trust-broken']);
    expect((await run.exited).code).toBe(0);
    const summary = JSON.parse(run.output.stdout) as {
      states: Array<{ name: string; outcome: string }>;
      causeChain: string[];
      refusedRequests: Array<{ action: string; resource: string; reason: string }>;
    };
    const outcomes = Object.fromEntries(summary.states.map((s) => [s.name, s.outcome]));
    expect(outcomes).toMatchObject({ RunUntrusted: 'caught', LaunchFailed: 'handling', RunFailed: 'failed' });
    expect(summary.causeChain.at(-1)).toMatch(refusedHop);
    expect(summary.refusedRequests).toEqual([
      {
        service: 'iam',
        principal: 'arn:aws:iam::111111111111:role/airlock-example-orchestrator',
        action: 'sts:AssumeRole',
        resource: 'arn:aws:iam::222222222222:role/airlock-example-sandbox-launcher',
        reason: expect.stringMatching(refusedHop),
      },
    ]);
  });

  it('--fault prepare-fails: ✗ on the Fail state PrepareFailed, with its error', RUN, async () => {
    const run = npmStart(['--fault', 'prepare-fails']);
    expect((await run.exited).code).toBe(0);
    expect(run.output.stdout).toMatch(/^ {2}✗ PrepareFailed .*\n {6}Airlock\.PrepareFailed: /m);
    expect(run.output.stdout).toContain('← run record FAILED: submission rejected: the uploaded archive is missing');
  });
});

/** The run's processes while the hanging submission runs (the submission among them). */
async function whileSubmissionRuns(run: StartedCommand): Promise<number[]> {
  const pid = run.child.pid ?? 0;
  let seen: number[] = [];
  const running = await eventually(() => {
    seen = descendants(pid);
    return seen.some((p) => commandLine(p) === 'node main.mjs');
  }, 120_000);
  if (!running) throw new Error(`the submission never ran; output so far:\n${run.output.stdout}${run.output.stderr}`);
  return seen;
}

describe('npm start -- --run-timeout', () => {
  it('fails a hanging submission at the shortened deadline in seconds, leaving no process', RUN, async () => {
    const run = npmStart(['--submission', faultSubmission('hangs'), '--run-timeout', '3']);
    const processes = await whileSubmissionRuns(run);
    const submissionStarted = Date.now();
    expect((await run.exited).code).toBe(1);
    // About 3 s, plus the local task start margin it may not have used: well under the environment's 300 s.
    expect(Date.now() - submissionStarted).toBeLessThan(60_000);
    expect(run.output.stdout).toMatch(/← run record FAILED: submission hit the deadline after \d s and was killed/);
    expect(processes.filter(alive).map(commandLine)).toEqual([]);
  });

  it('refuses a timeout longer than the environment allows, with exit code 2', RUN, async () => {
    const run = npmStart(['--run-timeout', '301']);
    expect((await run.exited).code).toBe(2);
    expect(run.output.stderr).toMatch(/--run-timeout 301 is longer than environment "example" allows/);
  });
});

describe('npm start interrupted mid-run', () => {
  let privateTmp: string;
  beforeAll(() => {
    privateTmp = mkdtempSync(join(tmpdir(), 'rehearsal-signal-test-'));
    // The containers' user must reach the task directories made under it.
    chmodSync(privateTmp, 0o755);
  });
  afterAll(() => rmSync(privateTmp, { recursive: true, force: true }));
  const airlockEntries = () => readdirSync(privateTmp).filter((name) => name.startsWith('airlock-'));

  it.each([
    ['Ctrl-C (SIGINT to its process group)', 'SIGINT', true, 130],
    ['SIGTERM to the command alone', 'SIGTERM', false, 143],
  ] as const)(
    'by %s stops the task, leaves no process and no airlock-* temp entry',
    RUN,
    async (_, signal, group, code) => {
      const run = npmStart(['--submission', faultSubmission('hangs')], { TMPDIR: privateTmp });
      const processes = await whileSubmissionRuns(run);
      expect(airlockEntries()).not.toEqual([]);
      process.kill(group ? -(run.child.pid ?? 0) : (run.child.pid ?? 0), signal);
      expect((await run.exited).code).toBe(code);
      expect(run.output.stderr).toContain(`${signal}: stopping the sandbox task`);
      expect(await eventually(() => processes.every((p) => !alive(p)), 5_000)).toBe(true);
      expect(airlockEntries()).toEqual([]);
    },
  );
});
