import { readFileSync } from 'node:fs';
import { descendants, hostProcesses } from './process-tree.js';

/**
 * How often the watchdog sums each watched container's memory. A container that allocates faster than this can
 * overshoot its limit by what it allocates in one period before it is killed (the README says so).
 */
export const MEMORY_WATCH_PERIOD_MS = 100;

interface Watched {
  readonly launcher: number;
  readonly limitBytes: number;
  readonly onExceeded: (usedBytes: number) => void;
}

const watched = new Set<Watched>();
let timer: NodeJS.Timeout | undefined;

/**
 * `user` mode's bound on a container's memory as a whole, where `root` mode has a memory cgroup. RLIMIT_DATA holds
 * each process to the task's memory, and seccomp refuses the shared memory no rlimit counts, but nothing in the
 * kernel bounds the sum over a container's processes without a cgroup (which an unprivileged user has only through a
 * delegating service manager). So the rehearsal sums, every period, the anonymous memory (resident and swapped) of
 * every process below the container's launcher, and calls `onExceeded` once when it passes the limit; the caller
 * kills the container. One read of `/proc` per period serves every watched container. Returns a function that stops
 * watching.
 */
export function watchContainerMemory(
  launcher: number,
  limitBytes: number,
  onExceeded: (usedBytes: number) => void,
): () => void {
  const entry: Watched = { launcher, limitBytes, onExceeded };
  watched.add(entry);
  timer ??= setInterval(checkAll, MEMORY_WATCH_PERIOD_MS).unref();
  return () => {
    watched.delete(entry);
    if (watched.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

function checkAll(): void {
  const processes = hostProcesses();
  for (const entry of [...watched]) {
    const used = descendants(processes, entry.launcher).reduce((sum, pid) => sum + anonymousBytes(pid), 0);
    if (used > entry.limitBytes) {
      watched.delete(entry);
      entry.onExceeded(used);
    }
  }
}

/**
 * A process's private memory as `/proc/<pid>/status` reports it: anonymous and shared pages resident, and what is
 * swapped out. File-backed pages (the Node binary, libraries) are left out: the kernel can drop them at any time.
 */
export function anonymousBytes(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0; // It ended while being read.
  }
  let kib = 0;
  for (const field of ['RssAnon', 'RssShmem', 'VmSwap']) {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    kib += match ? Number(match[1]) : 0;
  }
  return kib * 1024;
}
