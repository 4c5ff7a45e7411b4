import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import {
  readStat,
  startConfinedContainer,
  type ConfinedContainerSpec,
  type ConfinedTask,
  type ContainerExit as ConfinedExit,
} from '../../confinement/index.js';

/**
 * How the rehearsal confines one container. `kernel`: as its task definition says (own PID, mount, IPC and UTS
 * namespaces in the task's shared no-route network, uid/gid from the definition, no capabilities, a read-only root
 * holding only the image, cgroup limits as root or rlimits without; see confinement/README.md). `pid-namespace`:
 * where the machine cannot confine (mode `none`) and the user allowed it: only its own PID namespace, as the invoking user, with `readOnly`
 * paths bind-mounted read-only; it confines nothing that matters against hostile code.
 */
export type ContainerLaunch =
  | { readonly kind: 'kernel'; readonly task: ConfinedTask; readonly spec: ConfinedContainerSpec }
  | {
      readonly kind: 'pid-namespace';
      readonly program: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly readOnly: readonly string[];
    };

export interface ContainerExit {
  /** The exit code ECS would report: the process's own, or 128 + the signal that killed it. */
  readonly exitCode: number;
  /** Why the kernel or the stand-in ended it, as ECS's container `Reason` says (OOM, the wall-clock limit). */
  readonly reason?: string;
}

export interface ContainerProcess {
  readonly exited: Promise<ContainerExit>;
  /** What the container wrote to stdout and stderr (what its log stream would hold). */
  output(): string;
  /** Signals the container's PID 1, as ECS signals a container's main process. */
  signal(signal: NodeJS.Signals): void;
  /** Host PIDs of processes still alive in the container's PID namespace (and its launcher). */
  remaining(): number[];
}

// The container's environment has no PATH: util-linux is found once, here.
const onPath = (name: string) =>
  `${process.env.PATH ?? ''}:/usr/sbin:/usr/bin:/sbin:/bin`
    .split(':')
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
const UNSHARE = onPath('unshare');
const MOUNT = onPath('mount') ?? '/bin/mount';

/** As root: plain namespaces. Otherwise an unprivileged user namespace maps the caller to root inside. */
let userNamespace: readonly string[] | undefined;
const userNamespaceArgs = (): readonly string[] => (userNamespace ??= detectUserNamespace());
function detectUserNamespace(): readonly string[] {
  if (UNSHARE && spawnSync(UNSHARE, ['--pid', '--fork', '--mount-proc', 'true']).status === 0) return [];
  const user = ['--user', '--map-root-user'];
  if (UNSHARE && spawnSync(UNSHARE, [...user, '--pid', '--fork', '--mount-proc', 'true']).status === 0) return user;
  throw new Error(
    'cannot create a PID namespace (`unshare --pid --fork --mount-proc`), as root or with --user --map-root-user: ' +
      'run the rehearsal as root, or allow unprivileged user namespaces (kernel.unprivileged_userns_clone=1)',
  );
}

// Bind-mounts each of the $2 paths after it read-only onto itself with the mount at $1, then execs the rest as the
// container's program (with exactly the container's environment: no PATH is needed).
const READ_ONLY_THEN_EXEC =
  'set -e; mount=$1; n=$2; shift 2; ' +
  'while [ "$n" -gt 0 ]; do "$mount" --bind "$1" "$1"; "$mount" -o remount,bind,ro "$1"; shift; n=$((n-1)); done; exec "$@"';

/** Starts one container of a task: the one place the rehearsal launches a container. */
export function startContainer(launch: ContainerLaunch): ContainerProcess {
  return launch.kind === 'kernel' ? startKernelConfined(launch.task, launch.spec) : startInPidNamespace(launch);
}

function startKernelConfined(task: ConfinedTask, spec: ConfinedContainerSpec): ContainerProcess {
  const container = startConfinedContainer(task, spec);
  let output = '';
  const exited = container.exited.then((exit) => {
    output = exit.stdout + exit.stderr + droppedNote(exit);
    const reason = exit.oomKilled
      ? 'OutOfMemoryError: Container killed due to memory usage'
      : exit.timedOut
        ? `killed at the rehearsal's wall-clock limit (${spec.wallClockMs} ms)`
        : undefined;
    return {
      exitCode: exit.exitCode ?? 128 + constants.signals[exit.signal ?? 'SIGKILL'],
      ...(reason ? { reason } : {}),
    };
  });
  return { exited, output: () => output, signal: (signal) => container.signal(signal), remaining: container.pids };
}

function droppedNote(exit: ConfinedExit): string {
  return exit.droppedOutputBytes > 0 ? `\n[${exit.droppedOutputBytes} bytes of output dropped by the log driver]` : '';
}

/**
 * Starts `node <program> <args>` in its own PID namespace only (`unshare --pid --fork --mount-proc`, with
 * `--kill-child` so the namespace dies with its launcher): environment exactly `env`, `readOnly` bound read-only.
 */
function startInPidNamespace(launch: Extract<ContainerLaunch, { kind: 'pid-namespace' }>): ContainerProcess {
  const { program, args, env, readOnly } = launch;
  const inside = [process.execPath, program, ...args];
  const command =
    readOnly.length === 0
      ? inside
      : ['/bin/sh', '-c', READ_ONLY_THEN_EXEC, 'confine', MOUNT, String(readOnly.length), ...readOnly, ...inside];
  const launcher = spawn(
    UNSHARE ?? 'unshare',
    [...userNamespaceArgs(), '--pid', '--fork', '--mount-proc', '--kill-child', '--propagation', 'private', ...command],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  launcher.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  launcher.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  let killed = false;
  // unshare 2.38 exits 1 when its child dies of a signal ("sigprocmask unblock failed"): a SIGKILL the stand-in
  // sent is reported as ECS does, 137.
  const exited = new Promise<ContainerExit>((resolve) =>
    launcher.on('close', (code, signal) =>
      resolve({
        exitCode: killed ? 128 + constants.signals.SIGKILL : (code ?? 128 + (signal ? constants.signals[signal] : 0)),
      }),
    ),
  );
  let namespace: string | undefined;
  const init = (): number | undefined => {
    const pid = launcher.pid === undefined ? undefined : childrenOf(launcher.pid)[0];
    if (pid !== undefined && namespace === undefined) namespace = pidNamespaceOf(pid);
    return pid;
  };
  return {
    exited,
    output: () => output,
    signal(signal) {
      const pid = init();
      if (signal === 'SIGKILL') killed = true;
      try {
        if (pid !== undefined) process.kill(pid, signal);
        else launcher.kill(signal);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // ESRCH: already gone.
      }
    },
    remaining() {
      init();
      // A PID namespace ends with its init, and its init's exit waits until the kernel has killed and reaped every
      // process in it: once the launcher (the init's parent) is gone, nothing is left, and the namespace's inode
      // number may already name another namespace (another test's container).
      if (launcher.exitCode !== null || launcher.signalCode !== null || launcher.pid === undefined) return [];
      return [launcher.pid, ...(namespace === undefined ? [] : processesIn(namespace))];
    },
  };
}

/** Host PIDs of live (not zombie) processes whose PID namespace is `namespace` (`pid:[inode]`). */
export function processesIn(namespace: string): number[] {
  return livePids().filter((pid) => pidNamespaceOf(pid) === namespace);
}

function livePids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => !['Z', 'X', undefined].includes(readStat(pid)?.state));
}

function childrenOf(parent: number): number[] {
  return livePids().filter((pid) => readStat(pid)?.ppid === parent);
}

function pidNamespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined; // Gone, or not ours to read.
  }
}
