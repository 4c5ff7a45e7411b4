import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * `unshare` options that give a child its own PID namespace with its own /proc: as root, or unprivileged through a
 * user namespace. Neither working fails the suite: the supervisor's kill-everything must be proved, never skipped.
 */
export const UNSHARE_OPTIONS: readonly string[] = (() => {
  const candidates = [
    ['--pid', '--fork', '--mount-proc'],
    ['--user', '--map-root-user', '--pid', '--fork', '--mount-proc'],
  ];
  const works = candidates.find((options) => spawnSync('unshare', [...options, 'true']).status === 0);
  if (!works) {
    throw new Error(
      'cannot create a PID namespace with `unshare --pid --fork --mount-proc`, as root or with --user --map-root-user: ' +
        'run the tests as root, or allow unprivileged user namespaces (kernel.unprivileged_userns_clone=1, ' +
        'kernel.apparmor_restrict_unprivileged_userns=0)',
    );
  }
  return works;
})();

export interface Exited {
  readonly status: number | null;
  readonly stderr: string;
}

export type Placement =
  /** PID 1 of the namespace, with the namespace's own /proc: how the run container starts. */
  | 'init'
  /** PID 2 under a shell that stays PID 1: a `kill(-1)` by mistake still stays inside the namespace. */
  | 'not-init'
  /** PID 1, but /proc is the host's. */
  | 'host-proc';

/** Spawns `node <bundle> <args>` in a new PID namespace, placed as told, with exactly `env` as its environment. */
export function spawnInNamespace(
  bundle: string,
  args: readonly string[],
  env: Record<string, string>,
  placement: Placement = 'init',
) {
  const options = placement === 'host-proc' ? UNSHARE_OPTIONS.filter((o) => o !== '--mount-proc') : UNSHARE_OPTIONS;
  // `; exit $?` keeps the shell from exec'ing node, so the shell stays PID 1.
  const command =
    placement === 'not-init'
      ? ['/bin/sh', '-c', '"$0" "$@"; exit $?', process.execPath, bundle, ...args]
      : [process.execPath, bundle, ...args];
  const child = spawn('unshare', [...options, ...command], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<Exited>((resolve) => child.on('close', (status) => resolve({ status, stderr })));
  return { child, exited };
}

/** Host PIDs of live processes whose command line holds `marker`. */
export function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Host PIDs of the children of `parent`. */
export function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}
