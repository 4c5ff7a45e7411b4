import { execFile } from 'node:child_process';
import { chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOCKET_BUFFER_BYTES } from '../../src/confinement/index.js';
import { OPEN_DESCRIPTORS } from '../../src/confinement/rlimits.js';
import { runtimeFiles } from '../../src/confinement/runtime-files.js';
import { CLONE_NEWUSER, MNT_DETACH, SYSCALL, syscallProgram } from './syscall-program.js';

const PROBE = fileURLToPath(new URL('./probe.cjs', import.meta.url));
const DRIVER = fileURLToPath(new URL('./user-mode-driver.ts', import.meta.url));
/** The unprivileged user the driver runs as: nobody, which owns nothing it could be handed by mistake. */
const UNPRIVILEGED = 65534;
const MAX_PROCESSES = 64;
const SCRATCH_BYTES = 8 * 1024 * 1024;
const MEMORY_MIB = 128;
/** The session keyring the driver is started in, as a login would keep keys there: no container may possess it. */
const HOST_SESSION_KEYRING = 'airlock-test-host-session';
/** keyctl(KEYCTL_JOIN_SESSION_KEYRING, name), then exec: what a login (pam_keyinit) does before the shell starts. */
const KEYCTL_SYSCALL = { x64: 250, arm64: 219 }[process.arch as 'x64' | 'arm64'];
/** The descriptor the driver inherits open on the invoking user's secret file, without close-on-exec. */
const INHERITED_FD = 200;

interface Run {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  oomKilled: boolean;
  stdout: string;
  stderr: string;
  findings: Record<string, unknown>;
}

/**
 * `user` mode, exercised as CI can (CI runs as root): the confinement layer run by nobody from a directory nobody
 * owns, every scenario in one driver process (user-mode-driver.ts), its findings checked here.
 */
describe('confined containers (user mode: not root, through user namespaces)', () => {
  let dir: string;
  let runs: Record<string, Run> & {
    decoyAlive: boolean;
    leftover: string[];
    startCost: { confinedMs: number; samples: number };
  };

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test starts the driver as nobody, which needs root (CI is)');
    dir = mkdtempSync(join(tmpdir(), 'airlock-user-mode-'));
    const image = join(dir, 'image');
    mkdirSync(join(image, 'opt', 'airlock'), { recursive: true });
    copyFileSync(PROBE, join(image, 'opt', 'airlock', 'probe.cjs'));
    writeFileSync(join(image, 'opt', 'airlock', 'unshare-user'), syscallProgram(SYSCALL.unshare, CLONE_NEWUSER), {
      mode: 0o755,
    });
    writeFileSync(join(image, 'opt', 'airlock', 'umount'), syscallProgram(SYSCALL.umount2, 'argv1', MNT_DETACH), {
      mode: 0o755,
    });
    // A file of the invoking user (nobody) outside the image: the container must not see it.
    writeFileSync(join(dir, 'secret'), "the invoking user's own file");
    for (const path of [dir, image, join(image, 'opt'), join(image, 'opt', 'airlock'), join(dir, 'secret')]) {
      chownSync(path, UNPRIVILEGED, UNPRIVILEGED);
    }
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        'setpriv',
        [
          `--reuid=${UNPRIVILEGED}`,
          `--regid=${UNPRIVILEGED}`,
          '--clear-groups',
          'perl',
          '-e',
          // As a login does: the user's own session keyring (pam_keyinit), and a file of the user's left open without
          // close-on-exec by whatever started the rehearsal (a shell's `exec 200<file`, a build tool's jobserver).
          `my $name = "${HOST_SESSION_KEYRING}"; syscall(${KEYCTL_SYSCALL}, 1, $name) >= 0 or die "keyctl: $!"; ` +
            `open(my $secret, "<", $ARGV[0]) or die "open: $!"; require POSIX; ` +
            `POSIX::dup2(fileno($secret), ${INHERITED_FD}) == ${INHERITED_FD} or die "dup2: $!"; ` +
            'shift @ARGV; exec { $ARGV[0] } @ARGV',
          '--',
          join(dir, 'secret'),
          process.execPath,
          '--import',
          'tsx',
          DRIVER,
          image,
          join(dir, 'secret'),
          String(INHERITED_FD),
        ],
        {
          cwd: fileURLToPath(new URL('../..', import.meta.url)),
          env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir },
          timeout: 400_000,
        },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      ),
    );
    runs = JSON.parse(stdout) as typeof runs;
  }, 420_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs as the definition's uid/gid inside its own user namespace, with no capability and no_new_privs", () => {
    const { status, uidMap, gidMap, scratchOwner } = runs.credentials?.findings ?? {};
    expect(status).toMatchObject({
      Uid: '10001\t10001\t10001\t10001',
      Gid: '10001\t10001\t10001\t10001',
      Groups: '',
      CapInh: '0000000000000000',
      CapPrm: '0000000000000000',
      CapEff: '0000000000000000',
      CapBnd: '0000000000000000',
      CapAmb: '0000000000000000',
      NoNewPrivs: '1',
    });
    // 10001 inside is uid 0 of the task's user namespace, which is the invoking user on the host (the uid trap):
    // the namespace gives no capability over anything outside it.
    expect(uidMap).toEqual([10001, 0, 1]);
    expect(gidMap).toEqual([10001, 0, 1]);
    expect(scratchOwner).toBe(10001);
  });

  it("reaches none of the invoking user's keys: /proc/keys is masked and keyctl is refused", () => {
    const EPERM = 1;
    const { descriptions } = (runs.keyrings?.findings ?? {}) as { descriptions?: string[] };
    expect(runs.keyrings?.stderr).toBe('');
    // On the host the container is the invoking user, so the kernel would list (and let it read) every key that user
    // may view: the session keyring a login keeps, the user keyring. The file is masked, the system calls refused.
    expect(descriptions).toEqual(['']);
    expect(runs.readHostSession?.findings).toEqual({ errno: EPERM });
  });

  it('inherits no descriptor from the process that started the rehearsal (one open on a host file is closed)', () => {
    expect(runs.inheritedFd?.findings).toEqual({ read: 'EBADF' });
  });

  it('runs out of inodes in each tmpfs volume at one per page of its size (inodes are kernel memory)', () => {
    const seen = (runs.fillInodes?.findings ?? {}) as Record<string, { created: number; error: string }>;
    expect(seen['/scratch']?.error).toBe('ENOSPC');
    expect(seen['/scratch']?.created).toBeLessThanOrEqual(SCRATCH_BYTES / 4096);
    expect(seen['/tmp']?.error).toBe('ENOSPC');
    expect(seen['/tmp']?.created).toBeLessThanOrEqual((4 * 1024 * 1024) / 4096);
  });

  it('sees a read-only root holding only the image, its own processes and exactly its environment', () => {
    const seen = runs.identity?.findings ?? {};
    expect(runs.identity?.stderr).toBe('');
    expect(seen.pid).toBe(1);
    expect(seen.environment).toEqual({ RUN_DEADLINE: '123' });
    const runtimeTops = runtimeFiles().map((file) => file.path.split('/')[1] ?? '');
    expect(seen.root).toEqual([...new Set(['dev', 'opt', 'proc', 'scratch', ...runtimeTops])].sort());
    expect(seen.processes).toEqual(['1']);
    expect(seen.writeOpt).toBe('EROFS');
    expect(seen.writeRoot).toBe('EROFS');
    expect(seen.writeScratch).toBe('ok');
    expect(Object.values(seen.visible as Record<string, boolean>)).toEqual(Array(7).fill(false));
  });

  it("can neither see nor signal the invoking user's other processes, nor reach its abstract Unix sockets", () => {
    expect(runs.host?.findings).toEqual({
      hostPidVisible: false,
      signalHostPid: 'ESRCH',
      abstractSocket: 'ECONNREFUSED',
      sys: false,
      killEverything: 'ESRCH',
    });
    expect(runs.decoyAlive).toBe(true);
  });

  it('reaches nothing but the task network listener: not the host loopback, not any other address', () => {
    expect(runs.network?.findings).toEqual({
      hostLoopback: 'ECONNREFUSED',
      otherAddress: 'ENETUNREACH',
      publicAddress: 'ENETUNREACH',
      forwarded: '200 front saw /through',
    });
  });

  it('cannot make a user namespace of its own (chrooted) nor unmount its root or its volume (locked, no capability)', () => {
    const EPERM = 1;
    expect(runs.newUserNamespace?.findings).toEqual({ errno: EPERM });
    expect(runs.unmountRoot?.findings).toEqual({ errno: EPERM });
    expect(runs.unmountScratch?.findings).toEqual({ errno: EPERM });
  });

  it('cannot make shared memory no rlimit counts (memfd, SysV shm, anonymous shared mmap); private memory it can', () => {
    const EPERM = 1;
    expect(runs.memfd?.findings).toEqual({ errno: EPERM });
    expect(runs.shmget?.findings).toEqual({ errno: EPERM });
    expect(runs.sharedMmap?.findings).toEqual({ errno: EPERM });
    expect(runs.privateMmap?.findings).toEqual({ errno: 0 });
  });

  it("cannot take the invoking user's inotify or fanotify instances (counted per user through every namespace)", () => {
    const EPERM = 1;
    expect(runs.inotify?.findings).toEqual({ errno: EPERM });
    expect(runs.fanotify?.findings).toEqual({ errno: EPERM });
  });

  it("kills the container when its processes together pass the task's memory (the watchdog; RLIMIT_DATA is per process)", () => {
    const together = runs.allocateTogether;
    expect(together?.stdout).not.toContain('survived');
    expect(together?.oomKilled).toBe(true);
  });

  it("kills the container when its sockets' queues pass the task's memory (the watchdog charges every socket)", () => {
    // 2000 unix stream pairs, both ends written and never read: about 1 GiB of kernel memory, none of it in any RSS.
    const unix = runs.holdUnixSockets;
    expect(unix?.stdout).not.toContain('heldMiB');
    expect(unix?.oomKilled).toBe(true);
  });

  it("bounds loopback TCP buffers per connection by the task network's tcp_rmem/tcp_wmem", () => {
    const tcp = (runs.holdTcp?.findings ?? {}) as { pairs?: number; heldMiB?: number };
    expect(tcp.pairs).toBe(40);
    expect(tcp.heldMiB).toBeLessThanOrEqual((40 * 4 * SOCKET_BUFFER_BYTES) / 2 ** 20);
  });

  it("cannot raise a socket's buffer sizes past what the watchdog charges it; other socket options it can set", () => {
    const EPERM = 1;
    // The value's address is 0: a call the filter lets through reaches the kernel, which cannot read it.
    const EFAULT = 14;
    expect(runs.socketBuffer?.findings).toEqual({ errno: EPERM });
    expect(runs.socketKeepalive?.findings).toEqual({ errno: EFAULT });
  });

  it('opens at most RLIMIT_NOFILE descriptors per process (each can hold kernel memory; the watchdog reads each)', () => {
    const seen = (runs.openFiles?.findings ?? {}) as { opened?: number; error?: string };
    expect(seen.error).toBe('EMFILE');
    expect(seen.opened).toBeLessThan(OPEN_DESCRIPTORS);
  });

  it('is killed for holding epoll watches past its memory (the invoking user has 5.49 million in all, not per namespace)', () => {
    expect(runs.epollWatches?.stdout).not.toContain('errno');
    expect(runs.epollWatches?.oomKilled).toBe(true);
  });

  it("cannot take the invoking user's pending signals or message queues (counted up to the host's user namespace)", () => {
    // Without its own limits a container queued all 96364 of the invoking user's signals (the user's own sigqueue
    // and timer_create then failed with EAGAIN) and opened all 800 KiB of its message queues (mq_open: EMFILE).
    const EAGAIN = 11;
    const EMFILE = 24;
    expect(runs.queueSignals?.findings).toEqual({ errno: EAGAIN });
    expect(runs.messageQueue?.findings).toEqual({ errno: EMFILE });
  });

  it('stops a fork bomb with RLIMIT_NPROC, counted in its own user namespace', () => {
    const seen = runs.forkBomb?.findings ?? {};
    expect(seen.refused).toBe('EAGAIN');
    expect(seen.started).toBeLessThan(MAX_PROCESSES);
  });

  it("kills an allocation past the task's memory with RLIMIT_DATA (per process: there is no cgroup)", () => {
    const allocate = runs.allocate;
    expect(allocate?.exitCode === 0).toBe(false);
    expect(allocate?.stdout).not.toContain('survived');
    const reached = Math.max(
      ...(allocate?.stdout ?? '')
        .split('\n')
        .filter((l) => /^\d+$/.test(l))
        .map(Number),
    );
    expect(reached).toBeLessThanOrEqual(MEMORY_MIB);
  });

  it('stops a scratch fill at the volume size', () => {
    expect(runs.fillScratch?.findings.error).toBe('ENOSPC');
    expect(runs.fillScratch?.findings.written).toBeLessThanOrEqual(SCRATCH_BYTES);
  });

  it('kills the whole container at the wall-clock limit and leaves no process behind', () => {
    expect(runs.deadline?.timedOut).toBe(true);
    expect(runs.daemon?.findings.started).toBe(true);
    expect(runs.leftover).toEqual([]);
  });

  it('measures what a confined start costs (the bench in user mode)', () => {
    expect(runs.startCost.confinedMs).toBeGreaterThan(0);
    expect(runs.startCost.samples).toBe(2);
  });
});
