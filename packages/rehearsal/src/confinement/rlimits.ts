import type { ConfinedContainerSpec } from './container-spec.js';

/** Open descriptors per process: far more than the runner's containers use (a few sockets and files each). */
export const OPEN_DESCRIPTORS = 4096;

/** Queued signals a container may have pending at once (every process of the container together). */
export const PENDING_SIGNALS = 64;

/**
 * `user` mode's limits, where no cgroup can be had without root: util-linux `prlimit` arguments set on the
 * container's launcher just before it creates the container's own user namespace, so they bind every process of
 * the container and cannot be raised (hard limits; raising one needs CAP_SYS_RESOURCE in the host's namespace).
 * - RLIMIT_NPROC: processes and threads at once. Since Linux 5.14 it is counted per user namespace: the container's
 *   own processes (the task's user namespace also counts its other containers against it).
 * - RLIMIT_DATA: each process's private writable memory (heap, anonymous mappings). Per process, not per container:
 *   a container may hold up to `maxProcesses` times it in all, which is what `root` mode's memory cgroup prevents.
 * - RLIMIT_CORE 0: a crash writes no core file into the scratch volume.
 * - RLIMIT_NOFILE: open descriptors per process (Node raises its soft limit to the hard one, 20000 or more on most
 *   hosts). The memory watchdog reads every descriptor's link to count epoll watches, and each descriptor can hold
 *   kernel memory (a pipe's pages); this bounds both per process.
 * - RLIMIT_SIGPENDING and RLIMIT_MSGQUEUE: queued signals and POSIX message queue bytes are counted in every user
 *   namespace up to the host's, against the invoking user's own limits there; without these a container took all
 *   96364 of the invoking user's pending signals (the user's own `sigqueue` and `timer_create` then fail with
 *   EAGAIN) or all 800 KiB of its message queues (`mq_open` fails with EMFILE), for as long as it ran. The
 *   container's own limit bounds what it adds to the invoking user's count. No container of the task queues
 *   real-time signals (the kernel's own, such as SIGCHLD, are not counted) or opens a message queue.
 * Not limited in `user` mode: CPU (no cgroup; the container competes with the host's processes as any of yours does).
 */
export function rlimitArguments(spec: ConfinedContainerSpec): string[] {
  const limit = (name: string, value: number) => `--${name}=${value}:${value}`;
  return [
    limit('nproc', spec.maxProcesses),
    limit('data', spec.memoryBytes),
    limit('core', 0),
    limit('nofile', OPEN_DESCRIPTORS),
    limit('sigpending', PENDING_SIGNALS),
    limit('msgqueue', 0),
  ];
}
