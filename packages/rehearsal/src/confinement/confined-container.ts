import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createContainerCgroup } from './cgroup-limits.js';
import { tmpfsLimits, type ConfinedTask } from './confined-task.js';
import type { ConfinedContainerSpec } from './container-spec.js';
import { watchContainerMemory } from './memory-watchdog.js';
import { processTree } from './process-tree.js';
import { rlimitArguments } from './rlimits.js';
import { NODE_PATH, runtimeFiles, SETPRIV_PATH, SYSTEM_PATH } from './runtime-files.js';
import { perlLaunchStep } from './perl-launch-step.js';
import { systemdUserScope } from './systemd-user-scope.js';

export interface ContainerExit {
  /** The container's exit code, or null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The wall-clock limit was reached and the container was killed. */
  readonly timedOut: boolean;
  /**
   * The memory limit was reached: the kernel's OOM killer killed a process of the container (`root` mode), or the
   * memory watchdog killed the container (`user` mode).
   */
  readonly oomKilled: boolean;
  /** Up to `OUTPUT_LIMIT_BYTES` of each stream; the rest is counted, not kept. */
  readonly stdout: string;
  readonly stderr: string;
  readonly droppedOutputBytes: number;
  /** Milliseconds from start to the end of every process of the container. */
  readonly elapsedMs: number;
}

export interface ConfinedContainer {
  /** Host pid of the launcher (the container's processes are its descendants). */
  readonly pid: number;
  /** Settles once the container and every process it started are gone and its cgroup is removed. */
  readonly exited: Promise<ContainerExit>;
  /** Kills the container and everything it started (as StopTask would, without the grace period). */
  kill(): void;
  /** Sends `signal` to the container's init (its PID 1), as ECS signals a container's main process. */
  signal(signal: NodeJS.Signals): void;
  /** Host pids of the container's processes still alive; empty once `exited` has settled. */
  pids(): number[];
}

/** What a container may write to its stdout/stderr that the rehearsal keeps in memory, per stream. */
export const OUTPUT_LIMIT_BYTES = 1024 * 1024;

const DEVICES = ['/dev/null', '/dev/zero', '/dev/random', '/dev/urandom'];
let containers = 0;

/**
 * Starts one container of a task, confined as its definition says, with util-linux tools (present on every Linux
 * base image; bubblewrap is not, and its extra features are not needed here):
 * 1. `root` mode: a small shell joins the container's cgroup (memory, pids, CPU), so every later process is counted;
 * 2. `nsenter` joins the task's network and mount namespaces (shared by the task's containers, as awsvpc), in `user`
 *    mode through the task's user namespace;
 * 3. `unshare` gives the container its own PID, mount, IPC and UTS namespaces;
 * 4. a setup shell, PID 1 of that PID namespace, builds a read-only root from a tmpfs holding only the image root's
 *    files, the Node runtime and its libraries, four devices, the scratch volume and the container's own /proc;
 * 5. `env -i` sets exactly the spec's environment, then the definition's user enters the new root with no
 *    capability and no_new_privs, and execs the command, which stays PID 1 (`enterAsDefinitionUser` as root,
 *    `enterInOwnUserNamespace` without).
 */
export function startConfinedContainer(task: ConfinedTask, spec: ConfinedContainerSpec): ConfinedContainer {
  validate(spec);
  const started = performance.now();
  const id = `airlock-${process.pid}-${++containers}-${spec.name}`;
  const root = join(task.workDir, id);
  mkdirSync(root);
  // `root`: a cgroup, joined by a small shell before anything else starts, so every process is counted. `user`: no
  // cgroup can be had; rlimits bound the container and its processes are found below its launcher.
  const cgroup = task.mode === 'root' ? createContainerCgroup(id, spec) : undefined;
  const joinCgroup = (cgroup?.procsFiles ?? []).map((file) => `echo $$ > ${quote(file)}`).join(' && ');
  // `user`: a systemd user scope where the machine delegates one (the kernel then bounds the container as a whole).
  const scope = task.mode === 'user' ? systemdUserScope() : undefined;
  const launch = [
    ...(scope?.prefix(spec) ?? []),
    // Before anything else: a new session keyring, keyctl refused, inherited descriptors closed.
    ...(perlLaunchStep() ?? []),
    ...(cgroup ? ['/bin/sh', '-c', `${joinCgroup} && exec "$@"`, 'sh'] : []),
    // The launcher dies with the rehearsal. (The container's init does not: a uid change clears its pdeathsig.)
    'setpriv',
    '--pdeathsig',
    'KILL',
    'nsenter',
    // Without root the task's user namespace is joined first: in it the invoking user is root and may enter the rest.
    ...(task.userNamespace ? ['--preserve-credentials', `--user=${task.userNamespace}`] : []),
    `--net=${task.networkNamespace}`,
    `--mount=${task.mountNamespace}`,
    '--',
    'unshare',
    '--pid',
    '--fork',
    '--mount',
    '--ipc',
    '--uts',
    '--propagation',
    'private',
    '--',
    '/bin/sh',
    '-c',
    setupScript(task, spec, root),
    'sh',
    '/usr/bin/env',
    '-i',
    ...Object.entries(spec.environment).map(([name, value]) => `${name}=${value}`),
    ...(task.mode === 'root' ? enterAsDefinitionUser(spec, root) : enterInOwnUserNamespace(spec, root)),
    ...spec.argv.map((arg, index) => (index === 0 && arg === 'node' ? NODE_PATH : arg)),
  ];
  const [command = '', ...args] = launch;
  const child = spawn(command, args, {
    env: { PATH: SYSTEM_PATH, ...scope?.environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let dropped = 0;
  const collect = (stream: NodeJS.ReadableStream | null): (() => string) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    stream?.on('data', (chunk: Buffer) => {
      const room = OUTPUT_LIMIT_BYTES - kept;
      if (room > 0) chunks.push(chunk.subarray(0, room));
      kept += Math.min(room > 0 ? room : 0, chunk.length);
      dropped += Math.max(0, chunk.length - Math.max(room, 0));
    });
    return () => Buffer.concat(chunks).toString('utf8');
  };
  const processes = cgroup ?? {
    oomKilled: () => false,
    pids: processTree(child.pid ?? -1),
    remove: () => Promise.resolve(),
  };
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  let timedOut = false;
  let removed = false;
  const killAll = (): void => {
    // After the end the cgroup is gone, and so is every process that was in it: a late stop has nothing to do.
    if (removed) return;
    // The namespace's init first: its death makes the kernel kill the rest at once, which a fork bomb cannot outrun.
    const pids = processes.pids();
    for (const pid of [...pids.filter(isNamespaceInit), ...pids]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killAll();
  }, spec.wallClockMs);
  // `user` mode without a scope has no memory cgroup: the watchdog bounds what the container's processes hold together.
  let memoryExceeded = false;
  const stopWatchingMemory =
    cgroup || scope
      ? () => undefined
      : watchContainerMemory(child.pid ?? -1, spec.memoryBytes, task.networkSockets, () => {
          memoryExceeded = true;
          killAll();
        });
  const exited = new Promise<ContainerExit>((resolve, reject) => {
    child.on('error', (error) => {
      stopWatchingMemory();
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      stopWatchingMemory();
      // The PID namespace's init has exited, so the kernel kills the rest; wait until the cgroup is empty.
      // A cgroup that cannot be removed fails the container's end, as a kill that left a process would.
      waitUntilEmpty(processes.pids, killAll)
        .then(async () => {
          const oomKilled = processes.oomKilled() || memoryExceeded;
          removed = true;
          await processes.remove();
          resolve({
            exitCode,
            signal,
            timedOut,
            oomKilled,
            stdout: stdout(),
            stderr: stderr(),
            droppedOutputBytes: dropped,
            elapsedMs: performance.now() - started,
          });
        })
        .catch(reject);
    });
  });
  const container: ConfinedContainer = {
    pid: child.pid ?? -1,
    exited,
    kill: killAll,
    signal(signal) {
      if (signal === 'SIGKILL') return killAll();
      for (const pid of removed ? [] : processes.pids().filter(isNamespaceInit)) {
        try {
          process.kill(pid, signal);
        } catch {
          // Already gone.
        }
      }
    },
    pids: () => (removed ? [] : processes.pids()),
  };
  task.running.add(container);
  void exited.finally(() => task.running.delete(container)).catch(() => undefined);
  return container;
}

/**
 * `root`: `unshare --root` enters the new root (a chroot: the kernel refuses a new user namespace to a chrooted
 * process, so no namespace with capabilities can be made from inside), and `setpriv` becomes the definition's
 * uid/gid on the host, drops every capability and sets no_new_privs.
 */
function enterAsDefinitionUser(spec: ConfinedContainerSpec, root: string): string[] {
  return [
    'unshare',
    `--root=${root}`,
    `--wd=${spec.workingDirectory}`,
    '--',
    SETPRIV_PATH,
    `--reuid=${spec.uid}`,
    `--regid=${spec.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}

/**
 * `user`: the setup ran as root of the task's user namespace, which owns the container's mounts. The container gets
 * a user namespace of its own below it, mapping the definition's uid/gid to that root (so its files show as the
 * definition's user; on the host it is the invoking user): it holds no capability over the task's namespaces, and
 * the mounts it sees are locked. The rlimits are set first so the new namespace is counted against them; `unshare
 * --root` chroots (a new user namespace is then refused, as in `root` mode); `--keep-caps` lets `setpriv` drop the
 * bounding set the new namespace starts with, then every capability, and set no_new_privs.
 */
function enterInOwnUserNamespace(spec: ConfinedContainerSpec, root: string): string[] {
  return [
    'prlimit',
    ...rlimitArguments(spec),
    '--',
    'unshare',
    '--user',
    `--map-user=${spec.uid}`,
    `--map-group=${spec.gid}`,
    '--keep-caps',
    `--root=${root}`,
    `--wd=${spec.workingDirectory}`,
    '--',
    SETPRIV_PATH,
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}

function validate(spec: ConfinedContainerSpec): void {
  const problems = [
    (spec.uid === 0 || spec.gid === 0) && `user must not be root (got ${spec.uid}:${spec.gid})`,
    !spec.readonlyRootFilesystem && 'readonlyRootFilesystem must be true (the image root is shared read-only)',
    spec.argv.length === 0 && 'argv must not be empty (set the image entry point or the command)',
    ...Object.keys(spec.environment)
      .filter((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      .map((name) => `environment name ${JSON.stringify(name)} is not a valid variable name`),
    ...spec.mountPoints
      .filter((m) => !/^\/[A-Za-z0-9_/-]+$/.test(m.containerPath))
      .map((m) => `mount point ${JSON.stringify(m.containerPath)} must be an absolute plain path`),
    !/^\/[A-Za-z0-9_/-]*$/.test(spec.workingDirectory) && `workingDirectory ${spec.workingDirectory} must be absolute`,
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0) {
    throw new Error(
      `container ${spec.name}: ${problems.join('; ')}; fix the task definition or the rehearsal's choices`,
    );
  }
}

/**
 * The setup, run as root inside the container's fresh mount and PID namespaces; ends by exec'ing its arguments. The
 * root's mounts are listed in an fstab written beside it on the host (outside the new root, so the container never
 * sees it) and made by one `mount -a`: one process for every mount instead of three to four per mount.
 */
function setupScript(task: ConfinedTask, spec: ConfinedContainerSpec, root: string): string {
  const r = (path: string): string => join(root, path);
  const binds = [
    ...readdirSync(spec.imageRoot).map((entry) => ({
      source: join(spec.imageRoot, entry),
      target: r(entry),
      options: 'rbind,ro,nosuid,nodev',
      file: false,
    })),
    ...runtimeFiles().map((f) => ({
      source: f.source,
      target: r(f.path),
      options: 'bind,ro,nosuid,nodev',
      file: true,
    })),
    ...DEVICES.map((device) => ({ source: device, target: r(device), options: 'bind,ro,nosuid', file: true })),
    ...spec.mountPoints.map((m) => ({
      source: task.scratchDir,
      target: r(m.containerPath),
      options: `bind,${m.readOnly ? 'ro' : 'rw'},nosuid,nodev`,
      file: false,
    })),
  ];
  const mounts = [
    ...binds.map((b) => [b.source, b.target, 'none', b.options]),
    ...(spec.tmpBytes === undefined
      ? []
      : [['airlock-tmp', r('tmp'), 'tmpfs', `${tmpfsLimits(spec.tmpBytes)},mode=1777,nosuid,nodev`]]),
    ['proc', r('proc'), 'proc', 'nosuid,nodev,noexec'],
    // /proc/keys lists every key the reader's uid may view: in `user` mode, all of the invoking user's.
    ['/dev/null', r('proc/keys'), 'none', 'bind,ro,nosuid,noexec'],
  ];
  const fstab = `${root}.fstab`;
  writeFileSync(fstab, mounts.map((fields) => `${fields.map(fstabField).join(' ')} 0 0\n`).join(''));
  const directories = [
    ...binds.map((b) => (b.file ? dirname(b.target) : b.target)),
    ...(spec.tmpBytes === undefined ? [] : [r('tmp')]),
    r('proc'),
  ];
  return [
    'set -e',
    `mount -t tmpfs -o size=1m,mode=0755,nosuid,nodev airlock-root ${quote(root)}`,
    `mkdir -p ${[...new Set(directories)].map(quote).join(' ')}`,
    `touch ${binds
      .filter((b) => b.file)
      .map((b) => quote(b.target))
      .join(' ')}`,
    `mount -a -T ${quote(fstab)}`,
    `mkdir -p ${quote(r(spec.workingDirectory))}`,
    // /proc/sys is the host root's; without root, sethostname(2) in the container's UTS namespace is what may set it.
    task.mode === 'user' ? 'hostname airlock-task' : 'echo airlock-task > /proc/sys/kernel/hostname',
    // A user namespace may not make the tmpfs itself read-only, only this mount of it; the container cannot
    // change either (no capability over the namespace that owns its mounts).
    `mount -o remount,${task.mode === 'user' ? 'bind,' : ''}ro,nosuid,nodev ${quote(root)}`,
    'exec "$@"',
  ].join('\n');
}

/** fstab(5) separates fields by blanks; a blank, tab, newline or backslash inside a field is an octal escape. */
function fstabField(value: string): string {
  return value.replace(/[\s\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

async function waitUntilEmpty(pids: () => number[], killAll: () => void): Promise<void> {
  for (let attempt = 0; pids().length > 0; attempt++) {
    if (attempt > 0) killAll();
    if (attempt > 500) throw new Error(`processes ${pids().join(', ')} survived SIGKILL for 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Whether a host pid is PID 1 of a nested PID namespace ("NSpid:\t<host pid>\t1" in its status). */
function isNamespaceInit(pid: number): boolean {
  try {
    return /^NSpid:.*\t1$/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
