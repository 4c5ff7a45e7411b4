import { readdirSync, readFileSync } from 'node:fs';

/** Every live process on the host and its parent, read once from `/proc`. */
export type HostProcesses = ReadonlyMap<number, number>;

export function hostProcesses(): HostProcesses {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.state !== 'Z' && stat.state !== 'X') parents.set(Number(entry), stat.ppid);
  }
  return parents;
}

/** `launcher` and every live process below it, in `processes`; empty once the launcher is gone. */
export function descendants(processes: HostProcesses, launcher: number): number[] {
  if (!processes.has(launcher)) return [];
  const found = [launcher];
  for (let i = 0; i < found.length; i++) {
    for (const [pid, ppid] of processes) if (ppid === found[i]) found.push(pid);
  }
  return found;
}

/**
 * A container's processes found without a cgroup (`user` mode): the launcher and every live process below it. A
 * container cannot leave the tree: its processes are in its own PID namespace, whose orphans are reparented to the
 * namespace's init, a descendant of the launcher; when that init ends, the kernel kills the rest.
 */
export function processTree(launcher: number): () => number[] {
  return () => descendants(hostProcesses(), launcher);
}

/**
 * A process's state letter and parent from `/proc/<pid>/stat`, where they follow the command name in parentheses,
 * which may itself hold spaces or parentheses; undefined once it is gone.
 */
export function readStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state = '', ppid = ''] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined; // It ended while /proc was read.
  }
}
