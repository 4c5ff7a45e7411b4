import { readdirSync, readFileSync } from 'node:fs';

/**
 * A container's processes found without a cgroup (`user` mode): the launcher and every live process below it. A
 * container cannot leave the tree: its processes are in its own PID namespace, whose orphans are reparented to the
 * namespace's init, a descendant of the launcher; when that init ends, the kernel kills the rest.
 */
export function processTree(launcher: number): () => number[] {
  return () => {
    const parents = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat && stat.state !== 'Z' && stat.state !== 'X') parents.set(Number(entry), stat.ppid);
    }
    if (!parents.has(launcher)) return [];
    const found = [launcher];
    for (let i = 0; i < found.length; i++) {
      for (const [pid, ppid] of parents) if (ppid === found[i]) found.push(pid);
    }
    return found;
  };
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
