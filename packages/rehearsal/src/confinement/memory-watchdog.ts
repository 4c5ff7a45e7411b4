import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { SOCKET_BUFFER_BYTES } from './confined-task.js';
import { descendants, hostProcesses } from './process-tree.js';

/**
 * How often the watchdog sums each watched container's memory. A container that allocates faster than this can
 * overshoot its limit by what it allocates in one period before it is killed (the README says so).
 */
export const MEMORY_WATCH_PERIOD_MS = 100;

/**
 * Kernel memory a socket can hold that no process's RSS shows: its own queue, up to the default buffer the seccomp
 * filter keeps it at (and a message past it), and what it has received, charged by the kernel to its peer. One
 * unix stream socket held 264 KiB; a loopback TCP connection within the task's clamped `tcp_rmem`/`tcp_wmem`, 256 KiB.
 */
export const SOCKET_CHARGE_BYTES = 2 * SOCKET_BUFFER_BYTES;
/**
 * What an open descriptor can hold in the kernel beyond a socket's charge: a pipe's two pages (what a pipe gets once
 * its user is past `fs.pipe-user-pages-soft`; below it pipes take up to 64 MiB of the user's in all, uncounted).
 */
export const DESCRIPTOR_CHARGE_BYTES = 8 * 1024;

/**
 * An epoll watch (its epitem and wait-queue entry; 5.49 million took 1.5 GiB here). Watches are counted per host user
 * against `fs.epoll.max_user_watches`: in `user` mode a container that took them all (one process, 2400 epoll
 * instances of 2400 eventfds) left the invoking user's own programs unable to add one (`epoll_ctl`: ENOSPC), which
 * breaks every event loop. Charged, the container is killed long before: 128 MiB is half a million watches.
 */
export const EPOLL_WATCH_CHARGE_BYTES = 256;
/** Counting watches reads every descriptor's link, so it runs every this many periods and its count is kept between. */
const EPOLL_COUNT_EVERY = 5;

interface Watched {
  readonly launcher: number;
  readonly limitBytes: number;
  readonly networkSockets: string;
  readonly onExceeded: (usedBytes: number) => void;
  epollBytes: number;
}

const watched = new Set<Watched>();
let timer: NodeJS.Timeout | undefined;

/**
 * `user` mode's bound on a container's memory as a whole, where `root` mode has a memory cgroup. RLIMIT_DATA holds
 * each process to the task's memory, and seccomp refuses the shared memory no rlimit counts, but nothing in the
 * kernel bounds the sum over a container's processes without a cgroup (which an unprivileged user has only through a
 * delegating service manager). So the rehearsal sums, every period, the anonymous memory (resident and swapped) of
 * every process below the container's launcher, and calls `onExceeded` once when it passes the limit; the caller
 * kills the container. One read of `/proc` per period serves every watched container. Kernel memory that no RSS
 * shows is charged too: every socket of the task's network namespace (`networkSockets` is its `sockstat`, which counts
 * sockets no descriptor holds, such as those in flight in a unix socket's queue) at `SOCKET_CHARGE_BYTES`, and every
 * open descriptor of the container at `DESCRIPTOR_CHARGE_BYTES`, and every epoll watch at `EPOLL_WATCH_CHARGE_BYTES`.
 * Returns a function that stops watching.
 */
export function watchContainerMemory(
  launcher: number,
  limitBytes: number,
  networkSockets: string,
  onExceeded: (usedBytes: number) => void,
): () => void {
  const entry: Watched = { launcher, limitBytes, networkSockets, onExceeded, epollBytes: 0 };
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

let periods = 0;

function checkAll(): void {
  const processes = hostProcesses();
  const countEpoll = periods++ % EPOLL_COUNT_EVERY === 0;
  for (const entry of [...watched]) {
    const pids = descendants(processes, entry.launcher);
    if (countEpoll) entry.epollBytes = pids.reduce((sum, pid) => sum + epollWatches(pid), 0) * EPOLL_WATCH_CHARGE_BYTES;
    const used =
      pids.reduce((sum, pid) => sum + anonymousBytes(pid) + descriptors(pid).length * DESCRIPTOR_CHARGE_BYTES, 0) +
      sockets(entry.networkSockets) * SOCKET_CHARGE_BYTES +
      entry.epollBytes;
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
  for (const match of status.matchAll(/^(?:RssAnon|RssShmem|VmSwap):\s+(\d+) kB$/gm)) kib += Number(match[1]);
  return kib * 1024;
}

function descriptors(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`);
  } catch {
    return []; // It ended while being read.
  }
}

/** The watches of a process's epoll instances: one `tfd:` line each in the instance's fdinfo. */
function epollWatches(pid: number): number {
  let watches = 0;
  for (const fd of descriptors(pid)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:[eventpoll]') continue;
      watches += readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').match(/^tfd:/gm)?.length ?? 0;
    } catch {
      // Closed, or the process ended, while being read.
    }
  }
  return watches;
}

/** "sockets: used N", the first line of a network namespace's `/proc/<pid>/net/sockstat`. */
function sockets(sockstat: string): number {
  try {
    return Number(/^sockets: used (\d+)$/m.exec(readFileSync(sockstat, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0; // The task is closing.
  }
}
