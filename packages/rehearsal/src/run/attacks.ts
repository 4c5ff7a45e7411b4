import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTAINER } from '@airlock/contracts';
import type { ConfinementMode } from '../confinement/index.js';
import { invariantViolations } from './invariants.js';
import type { Rehearsal, RunOutcome } from './rehearsal.js';
import { runGrant } from './faults.js';
import { archiveSubmission, EXAMPLE_SUBMISSION } from './submission-archive.js';

/** One hostile submission of the attack suite: what it tries, what must stop it, and how its run must end. */
export interface Attack {
  readonly describe: string;
  /** The defence expected to stop it, as the summary prints it. */
  readonly stoppedBy: string;
  /** What stops it instead in `user` mode (no root: rlimits where `root` mode has cgroups), if it differs. */
  readonly stoppedByWithoutRoot?: string;
  /** How the run ends; undefined when either end is right (the kernel may kill the submission or the runner). */
  readonly status?: 'SUCCEEDED' | 'FAILED';
  /** What the run record must say when the run fails. */
  readonly reason?: RegExp;
  /** A refusal the S3 front must have recorded, naming the defence that refused the attack's request. */
  readonly refusal?: RegExp;
  /** The longest the run may take, for attacks that would otherwise hang it until its deadline. */
  readonly maxRunMs?: number;
  /** What the attack is handed as if it had leaked into the sandbox (`leaked.json` beside its script). */
  readonly leak?: (rehearsal: Rehearsal) => Promise<unknown>;
}

export const ATTACKS: Readonly<Record<string, Attack>> = {
  'read-environ': {
    describe: "reads every visible process's /proc/<pid>/environ for the input URL and the output POST",
    stoppedBy: 'the kernel: run has its own PID namespace; fetch and deliver are not in it (and hold the URLs)',
    status: 'SUCCEEDED',
  },
  'signal-runner': {
    describe: 'sends SIGSTOP and SIGKILL to the supervisor (PID 1) and looks for fetch and deliver to signal',
    stoppedBy:
      'the kernel: signals from inside a PID namespace to its init are ignored; fetch and deliver are invisible',
    status: 'SUCCEEDED',
  },
  'trace-runner': {
    describe:
      'opens /proc/<pid>/mem (the ptrace access check) of the supervisor, fetch and deliver; tries strace and gdb',
    stoppedBy:
      'the kernel: fetch and deliver, which hold the URLs, are in other PID namespaces; the image has no tracer. ' +
      "NOT the supervisor: it shares the submission's uid and is dumpable, so /proc/1/mem opens for writing",
    status: 'SUCCEEDED',
  },
  'write-neighbour-output': {
    describe:
      "writes forged lines to the stdout and stderr of fetch, deliver and the run's log stream (/proc/<pid>/fd/1)",
    stoppedBy:
      'the kernel: fetch and deliver are in other PID namespaces (and see the scratch read-only or before the run). ' +
      "The run's own log stream is refused here only because the rehearsal's pipes are sockets (ENXIO); on Fargate " +
      'it is a FIFO the same-uid submission could open through /proc/1/fd/1 (unverified)',
    status: 'SUCCEEDED',
  },
  'reach-host': {
    describe: 'connects to every port the rehearsal listens on (s3rver, dynalite, STS, the fronts) and reads unsigned',
    stoppedBy:
      'the kernel: the task network has no route and only a listener piping to the S3 front; the front refuses the unsigned request',
    status: 'SUCCEEDED',
  },
  'setsid-daemon': {
    describe: 'leaves a process running in its own session',
    stoppedBy: 'the runner (PID 1) kills everything in its PID namespace; the kernel ends the namespace with it',
    status: 'SUCCEEDED',
  },
  'fork-bomb': {
    describe: 'starts processes as fast as it can until the kernel refuses or kills one (at most 90 s)',
    stoppedBy: "the kernel: the container's cgroup limits (pids.max 256, memory) and the PID namespace's end",
    stoppedByWithoutRoot:
      "the kernel: RLIMIT_NPROC 256 (processes and threads, counted in the container's own user namespace), RLIMIT_DATA per process, and the PID namespace's end",
  },
  'fill-scratch': {
    describe: 'writes to the scratch volume until it is full',
    stoppedBy: "the kernel: the scratch volume's size (a tmpfs)",
    status: 'SUCCEEDED',
  },
  'exceed-memory': {
    describe: "allocates memory past the task's limit",
    stoppedBy: "the kernel: the memory cgroup's OOM killer",
    stoppedByWithoutRoot:
      "the kernel: RLIMIT_DATA refuses the allocation past the task's memory (per process: without a cgroup, each process of the container may hold that much)",
    status: 'FAILED',
  },
  'exceed-memory-together': {
    describe: "holds twice the task's memory across four processes, each under a per-process limit",
    stoppedBy: "the kernel: the memory cgroup's OOM killer, which counts every process of the container",
    stoppedByWithoutRoot:
      "the rehearsal's memory watchdog: every 100 ms it sums the anonymous memory of the container's processes and kills the container past the task's memory (RLIMIT_DATA holds each process alone; it may overshoot by what is allocated in one period)",
  },
  'flood-stdout': {
    describe: 'writes 100 MiB to stdout',
    stoppedBy: "the runner keeps a bounded tail; the rehearsal's log stream keeps 1 MiB per stream",
    status: 'SUCCEEDED',
  },
  'exfiltrate-through-endpoint': {
    describe:
      'PUTs what it can read to a bucket of its own, with credentials of its own account, through the S3 endpoint',
    stoppedBy: "the S3 gateway endpoint's policy: only the data bucket's run objects, in the data account",
    status: 'SUCCEEDED',
    refusal:
      /s3:PutObject on resource: arn:aws:s3:::attacker-owned-bucket\/loot\.txt \(refused by the policy of the VPC endpoint it came through\)$/,
  },
  'output-link': {
    describe: 'replaces the result file with a link to /proc/1/environ',
    stoppedBy: 'the runner: deliver checks the type of what it uploads and refuses a link',
    status: 'FAILED',
    reason: /link|not a regular file/i,
  },
  'output-fifo': {
    describe: 'replaces the result file with a FIFO (made by a program of its own), on which a plain open would hang',
    stoppedBy: 'the runner: deliver opens without blocking and refuses anything but a regular file',
    status: 'FAILED',
    reason: /not a regular file/i,
    maxRunMs: 60_000,
  },
  'other-run-key': {
    describe: "tampers with another run's leaked GET URL and output POST to reach other keys through the S3 endpoint",
    stoppedBy:
      'the signature check: a changed path or policy no longer matches its signature; a changed key field fails the policy',
    status: 'SUCCEEDED',
    refusal: /signature we calculated does not match/,
    leak: async (rehearsal) => {
      const earlier = await rehearsal.submit(await archiveSubmission(EXAMPLE_SUBMISSION));
      return runGrant(rehearsal, earlier.runId);
    },
  },
};

/** What one attack's run came to. */
export interface AttackReport {
  readonly name: string;
  readonly outcome: RunOutcome;
  /** What the submission said it achieved, or what the run record says when it could not say. */
  readonly evidence: string;
  /** Why the attack is not shown contained; empty when it is. */
  readonly problems: readonly string[];
}

/** What stopped an attack in the confinement this run had (`root` or `user`). */
export function stoppedBy(attack: Attack, mode: ConfinementMode): string {
  return mode === 'user' ? (attack.stoppedByWithoutRoot ?? attack.stoppedBy) : attack.stoppedBy;
}

const ATTACK_SCRIPT = fileURLToPath(new URL('../../attack-submissions/attack.mjs', import.meta.url));
/** Where an attack tries to leave a mark on the host, and what its leftover processes carry on their command line. */
const HOST_MARKS = ['/tmp/airlock-attack-was-here'];
/** Unique to this process, so rehearsals attacked at the same time (tests) never take each other's leftovers. */
const LEFTOVER_MARKER = `airlock-attack-leftover-${process.pid}`;

/** Runs one attack as a submission and checks that it was contained, the run ended as I8 demands, and the host is clean. */
export async function rehearseAttack(rehearsal: Rehearsal, name: string): Promise<AttackReport> {
  const attack = ATTACKS[name];
  if (!attack) throw new Error(`unknown attack "${name}"; choose one of ${Object.keys(ATTACKS).join(', ')} or all`);
  const leaked = attack.leak ? await attack.leak(rehearsal) : {};
  const outcome = await rehearsal.submit(await attackArchive(name, rehearsal.hostPorts, leaked));
  const said = (outcome.result as { result?: { contained?: unknown; evidence?: unknown } } | undefined)?.result;
  const evidence = typeof said?.evidence === 'string' ? said.evidence : (outcome.record?.reason ?? outcome.status);
  const runLogs = rehearsal.sandbox.ecs
    .all()
    .find((t) => t.startedBy === outcome.runId)
    ?.logs(CONTAINER.RUN);
  const problems = [
    attack.status && outcome.status !== attack.status && `the run ${outcome.status}, expected ${attack.status}`,
    said?.contained === false && `the attack got through: ${evidence}`,
    outcome.status === 'SUCCEEDED' &&
      typeof said?.contained !== 'boolean' &&
      'the run succeeded without the attack reporting',
    attack.reason &&
      !attack.reason.test(outcome.record?.reason ?? '') &&
      `the run record says ${JSON.stringify(outcome.record?.reason)}, expected ${attack.reason}`,
    attack.maxRunMs !== undefined &&
      outcome.ms > attack.maxRunMs &&
      `the run took ${Math.round(outcome.ms)} ms, more than ${attack.maxRunMs} ms`,
    attack.refusal &&
      !rehearsal.accesses.some((a) => !a.allowed && attack.refusal?.test(a.reason ?? '')) &&
      `the S3 front recorded no refusal matching ${attack.refusal}`,
    (runLogs?.length ?? 0) > 3 * 1024 * 1024 && `the run container's log kept ${runLogs?.length} characters`,
    ...(await invariantViolations(rehearsal, outcome)),
    ...HOST_MARKS.filter((path) => existsSync(path)).map((path) => `the host has ${path}`),
    ...hostProcessesWith(LEFTOVER_MARKER).map((pid) => `host process ${pid} left by the attack is alive`),
  ].filter((problem): problem is string => typeof problem === 'string');
  return { name, outcome, evidence, problems };
}

/**
 * The attack as an operator would upload it: the one hostile script, told which attack to make and where the host
 * listens, and what leaked to it.
 */
async function attackArchive(
  name: string,
  hostPorts: Readonly<Record<string, number>>,
  leaked: unknown,
): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-attack-'));
  try {
    copyFileSync(ATTACK_SCRIPT, join(dir, 'attack.mjs'));
    writeFileSync(join(dir, 'leaked.json'), JSON.stringify(leaked));
    writeFileSync(
      join(dir, 'airlock.json'),
      JSON.stringify({ entrypoint: ['node', 'attack.mjs', name, JSON.stringify(hostPorts), LEFTOVER_MARKER] }),
    );
    return await archiveSubmission(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hostProcessesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}
