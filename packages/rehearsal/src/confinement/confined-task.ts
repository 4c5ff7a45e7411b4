import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_PATH } from './runtime-files.js';
import { listenInTaskNetwork } from './task-listener.js';

/** Where the task's only route out leads: the S3 front (the gateway endpoint stand-in), in this very process. */
export interface ForwardTarget {
  /** Port listened on at 127.0.0.1 inside the task's network (by this process, through `listenInTaskNetwork`). */
  readonly listenPort: number;
  /**
   * The server each connection of the task is handed to as it is (`front.emit('connection', socket)`, how Node lets
   * an `http.Server` serve a socket it did not accept): the S3 front's endpoint server. While it is not listening
   * (closed), the task's connections are closed, as a closed port refuses them. The sockets allow half-open (as an
   * http.Server's own do): the front ends its side once the task's has ended, as http does, or the connection stays
   * carried, and counted against `TASK_CONNECTIONS`, until the task closes.
   */
  readonly front: net.Server;
}

export interface ConfinedTaskOptions {
  /** Size of the task's scratch volume (a tmpfs: the rehearsal's stand-in for ephemeral storage). */
  readonly scratchBytes: number;
  /**
   * Owner of the scratch volume's root (the image's `chown` of /scratch). In `user` mode the root of the task's user
   * namespace owns it, which each container's own namespace maps to the definition's uid: the same owner inside.
   */
  readonly scratchOwner: { readonly uid: number; readonly gid: number };
  /** @default - no way out at all */
  readonly forward?: ForwardTarget;
  /**
   * `root`: the namespaces belong to the host's user namespace. `user`: the invoking user (not root) owns them
   * through a user namespace of the task, in which it is root (see confinement-mode.ts).
   * @default 'root'
   */
  readonly mode?: KernelConfinementMode;
}

/**
 * `mount -t tmpfs` options bounding a volume of `bytes`: its pages, and its inodes at one per 4 KiB of it. Without
 * `nr_inodes` the kernel allows half the machine's RAM in pages as inodes, and an empty file costs no page but about
 * a kilobyte of kernel memory: in `user` mode, with no memory cgroup to charge it to, a container could hold
 * gigabytes of the machine's memory in empty files (or, since Linux 6.6, their user xattrs, charged to the same count).
 */
export function tmpfsLimits(bytes: number): string {
  return `size=${bytes},nr_inodes=${Math.max(1, Math.ceil(bytes / 4096))}`;
}

/** The modes in which the kernel confines (`none` runs nothing here). */
export type KernelConfinementMode = 'root' | 'user';

/**
 * One task's shared namespaces, as `awsvpc` gives a Fargate task: a network namespace with only `lo` up and no
 * route anywhere, and a mount namespace holding the task's scratch volume. A holder process keeps both alive;
 * closing the task kills it (and closes its listener), so the scratch tmpfs and the network disappear with no host mount
 * to clean up. The namespaces are never given an address on the host's network (no veth).
 */
export interface ConfinedTask {
  readonly mode: KernelConfinementMode;
  /** `user` mode: `/proc/<holder>/ns/user`, the task's user namespace, which owns the others. */
  readonly userNamespace?: string;
  /** `/proc/<holder>/ns/net` and `/proc/<holder>/ns/mnt`: the containers join these. */
  readonly networkNamespace: string;
  readonly mountNamespace: string;
  /** `/proc/<holder>/net/sockstat`: how many sockets the task's network namespace holds. */
  readonly networkSockets: string;
  /** The scratch volume's path; it is a tmpfs only inside `mountNamespace` (an empty directory on the host). */
  readonly scratchDir: string;
  /** Host directory for the task's per-container mount points; removed by `close`. */
  readonly workDir: string;
  /** Containers started in this task and not yet ended; `close` kills them. */
  readonly running: Set<{ kill(): void; readonly exited: Promise<unknown> }>;
  /**
   * Resolves (it never rejects) if the task network's listener fails while the task runs (an accept error): the
   * listener is then closed and the task has no way out, so its run must fail; never settles otherwise.
   */
  readonly listenerFailed: Promise<Error>;
  /** Kills every running container, then the listener and every connection it carried, then the namespaces, and removes `workDir`. */
  close(): Promise<void>;
}

/**
 * The most a socket of the task may queue each way: the kernel's default socket buffer (`net.core.wmem_default`,
 * 208 KiB on every distribution), which is also what an AF_UNIX socket gets. Loopback TCP would otherwise grow to
 * `tcp_rmem`/`tcp_wmem`'s maximum (32 MiB and 4 MiB here) per connection: kernel memory that neither `root` mode's
 * cgroup v1 memory limit nor `user` mode's watchdog counts (one container held 295 MiB in 40 connections under a
 * 128 MiB limit), and that past the host's `tcp_mem` starves every TCP connection of the host. Network-namespace
 * sysctls, so the task's holder (root of its network namespace in both modes) sets them for the task alone.
 */
export const SOCKET_BUFFER_BYTES = 212_992;

/**
 * Connections of one task the listener carries at once; more are closed as they come. A carried connection has no
 * leg in the host's network (its socket, in the task's network, is served by the front itself, with the task's small
 * buffers), but the front may hold up to `SANDBOX_BODY_BYTES` of a request body for each in this process's memory,
 * and each costs this process a descriptor: their number is bounded here. A task needs one at a time (fetch's
 * download, deliver's upload).
 */
export const TASK_CONNECTIONS = 16;

/** As root the step that opens the task network's listener runs as nobody: no container runs as that uid. */
const LISTENER_STEP_USER = 65534;

export async function createConfinedTask(options: ConfinedTaskOptions): Promise<ConfinedTask> {
  const mode = options.mode ?? 'root';
  const workDir = mkdtempSync(join(tmpdir(), 'airlock-confined-task-'));
  const scratchDir = join(workDir, 'scratch');
  mkdirSync(scratchDir);
  const processes: ChildProcess[] = [];
  const servers: net.Server[] = [];
  // Every connection the listener carries. A dead container's end of stream is not enough to end them: the front
  // may have stopped reading (a request body it is holding, a response the task never read), holding the network.
  const connections = new Set<net.Socket>();
  let listenerFailure: (error: Error) => void = () => undefined;
  const listenerFailed = new Promise<Error>((resolve) => (listenerFailure = resolve));
  const running: ConfinedTask['running'] = new Set();
  const close = async (): Promise<void> => {
    for (const container of running) container.kill();
    await Promise.allSettled([...running].map((container) => container.exited));
    for (const server of servers) server.close();
    for (const connection of connections) connection.destroy();
    await Promise.all(processes.map(killAndWait));
    // Off the main thread: removing the containers' roots is ~10 ms of every run's event loop under load.
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const { scratchBytes } = options;
    // In `user` mode each container maps its uid to the task namespace's root, which owns the scratch volume.
    const scratchOwner = mode === 'user' ? { uid: 0, gid: 0 } : options.scratchOwner;
    const holder = spawn(
      'setpriv',
      // The holder dies with the rehearsal (pdeathsig), so a crash cannot leave a namespace behind.
      [
        '--pdeathsig',
        'KILL',
        'unshare',
        ...(mode === 'user' ? ['--user', '--map-root-user'] : []),
        '--net',
        '--mount',
        '--propagation',
        'private',
        '--',
        '/bin/sh',
        '-c',
        'set -e; ip link set lo up; ' +
          // The task's own TCP buffer limits (per network namespace), as small as the kernel's default socket buffer.
          `echo "4096 16384 ${SOCKET_BUFFER_BYTES}" > /proc/sys/net/ipv4/tcp_wmem; ` +
          `echo "4096 131072 ${SOCKET_BUFFER_BYTES}" > /proc/sys/net/ipv4/tcp_rmem; ` +
          `mount -t tmpfs -o ${tmpfsLimits(scratchBytes)},mode=0755,uid=${scratchOwner.uid},gid=${scratchOwner.gid},nosuid,nodev airlock-scratch "$1"; ` +
          'echo ready; exec sleep infinity',
        'sh',
        scratchDir,
      ],
      { env: { PATH: process.env.PATH ?? SYSTEM_PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    processes.push(holder);
    await ready(holder, 'task namespace holder');
    const userNamespace = mode === 'user' ? `/proc/${holder.pid}/ns/user` : undefined;
    const networkNamespace = `/proc/${holder.pid}/ns/net`;
    const mountNamespace = `/proc/${holder.pid}/ns/mnt`;
    const networkSockets = `/proc/${holder.pid}/net/sockstat`;
    if (options.forward) {
      const { front, listenPort } = options.forward;
      const listener = await listenInTaskNetwork({
        networkNamespace,
        ...(userNamespace ? { userNamespace } : {}),
        port: listenPort,
        uid: LISTENER_STEP_USER,
      });
      servers.push(listener);
      listener.maxConnections = TASK_CONNECTIONS;
      // An accept error other than EMFILE (which libuv handles) would otherwise be thrown from the event loop and
      // end the whole rehearsal: only this task loses its way out, and its run fails with the reason.
      listener.on('error', (error: Error) => {
        listener.close();
        listenerFailure(error);
      });
      listener.on('connection', (fromTask: net.Socket) => {
        if (!front.listening) return void fromTask.destroy();
        connections.add(fromTask);
        fromTask.on('close', () => connections.delete(fromTask));
        // The front's server takes no error of a socket it did not accept for granted; an error only closes it.
        fromTask.on('error', () => undefined);
        // As the front's own accept would have set the socket: each side's end of stream is its own (http decides
        // what a half-close means, as for a socket it accepted), and no Nagle delay on its answers.
        fromTask.allowHalfOpen = true;
        fromTask.setNoDelay(true);
        front.emit('connection', fromTask);
      });
    }
    return {
      mode,
      ...(userNamespace ? { userNamespace } : {}),
      networkNamespace,
      mountNamespace,
      networkSockets,
      scratchDir,
      workDir,
      running,
      listenerFailed,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Resolves when the process prints "ready"; rejects with its stderr if it exits first. */
function ready(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('ready')) resolve();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      reject(new Error(`${what} exited (${code ?? signal}) before it was ready: ${stderr.trim()}`)),
    );
  });
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
