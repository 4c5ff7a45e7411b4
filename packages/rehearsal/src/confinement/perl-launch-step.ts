import { execFileSync } from 'node:child_process';

/** The system calls the step makes or refuses, where the rehearsal knows their numbers (arm64 uses the generic table). */
interface ArchitectureCalls {
  /** seccomp_data.arch: AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64. */
  readonly auditArch: number;
  readonly close: number;
  readonly prctl: number;
  readonly addKey: number;
  readonly requestKey: number;
  readonly keyctl: number;
  readonly mmap: number;
  readonly shmget: number;
  readonly memfdCreate: number;
  readonly memfdSecret: number;
  /** inotify_init (x86-64 only: arm64 has only inotify_init1), inotify_init1, fanotify_init. */
  readonly watchQueues: readonly number[];
  readonly setsockopt: number;
}
const CALLS: Readonly<Partial<Record<NodeJS.Architecture, ArchitectureCalls>>> = {
  x64: {
    auditArch: 0xc000003e,
    close: 3,
    prctl: 157,
    addKey: 248,
    requestKey: 249,
    keyctl: 250,
    mmap: 9,
    shmget: 29,
    memfdCreate: 319,
    memfdSecret: 447,
    watchQueues: [253, 294, 300],
    setsockopt: 54,
  },
  arm64: {
    auditArch: 0xc00000b7,
    close: 57,
    prctl: 167,
    addKey: 217,
    requestKey: 218,
    keyctl: 219,
    mmap: 222,
    shmget: 194,
    memfdCreate: 279,
    memfdSecret: 447,
    watchQueues: [26, 262],
    setsockopt: 208,
  },
};
const KEYCTL_JOIN_SESSION_KEYRING = 1;
const PR_SET_NO_NEW_PRIVS = 38;
const PR_SET_SECCOMP = 22;
const SECCOMP_MODE_FILTER = 2;

/**
 * A classic-BPF seccomp filter that answers EPERM to:
 * - add_key, request_key and keyctl, as Docker's default profile does;
 * - shared memory that no rlimit counts (RLIMIT_DATA counts only private mappings, and `user` mode has no memory
 *   cgroup): memfd_create, memfd_secret, SysV shmget, and mmap of anonymous shared memory (MAP_SHARED or
 *   MAP_SHARED_VALIDATE with MAP_ANONYMOUS). Node and V8 map only private memory; shared files live on the sized
 *   tmpfs volumes;
 * - inotify and fanotify instances: the kernel counts them per user up through every user namespace, so in `user`
 *   mode a container could take all of the invoking user's (128 by default) and break their editors and file
 *   watchers while it runs; no container of the runner task watches files;
 * - every system call of another ABI (i386 or arm32 numbers differ; a container has no use for them). The x32 bit is
 *   masked off so that x32's numbers are refused too;
 * - setting a socket's buffer sizes (setsockopt SOL_SOCKET SO_SNDBUF, SO_RCVBUF and their FORCE forms): a socket
 *   then queues at most the kernel's default buffer each way, which `user` mode's watchdog charges per socket (a
 *   raised buffer would queue up to 2 x net.core.wmem_max, 8 MiB here, that no one counts). Node never sets them.
 */
function containerFilter(calls: ArchitectureCalls): number[][] {
  const LOAD_WORD = 0x20;
  const JUMP_IF_EQUAL = 0x15;
  const AND = 0x54;
  const RETURN = 0x06;
  const ALLOW = 0x7fff0000;
  const EPERM = 0x00050000 | 1;
  const argumentLowWord = (index: number) => 16 + index * 8; // seccomp_data.args[index], little-endian
  const MAP_SHARED_ANONYMOUS = 0x21; // MAP_SHARED (0x01, also in MAP_SHARED_VALIDATE 0x03) | MAP_ANONYMOUS (0x20)
  const SOL_SOCKET = 1;
  const BUFFER_SIZES = [7, 8, 32, 33]; // SO_SNDBUF, SO_RCVBUF, SO_SNDBUFFORCE, SO_RCVBUFFORCE
  const refused = [
    calls.addKey,
    calls.requestKey,
    calls.keyctl,
    calls.shmget,
    calls.memfdCreate,
    calls.memfdSecret,
    ...calls.watchQueues,
  ];
  // Each check loads an argument and ends in a return of its own.
  const sharedMapping = [
    [LOAD_WORD, 0, 0, argumentLowWord(3)],
    [AND, 0, 0, MAP_SHARED_ANONYMOUS],
    [JUMP_IF_EQUAL, 0, 1, MAP_SHARED_ANONYMOUS],
    [RETURN, 0, 0, EPERM],
    [RETURN, 0, 0, ALLOW],
  ];
  const bufferSize = [
    [LOAD_WORD, 0, 0, argumentLowWord(1)],
    [JUMP_IF_EQUAL, 0, BUFFER_SIZES.length + 1, SOL_SOCKET],
    [LOAD_WORD, 0, 0, argumentLowWord(2)],
    ...BUFFER_SIZES.map((option, index) => [JUMP_IF_EQUAL, BUFFER_SIZES.length - index, 0, option]),
    [RETURN, 0, 0, ALLOW],
    [RETURN, 0, 0, EPERM],
  ];
  // What follows the refused numbers, up to the EPERM at the end.
  const checks = [
    [JUMP_IF_EQUAL, 0, sharedMapping.length, calls.mmap],
    ...sharedMapping,
    [JUMP_IF_EQUAL, 0, bufferSize.length, calls.setsockopt],
    ...bufferSize,
    [RETURN, 0, 0, ALLOW],
  ];
  return [
    [LOAD_WORD, 0, 0, 4], // seccomp_data.arch
    [JUMP_IF_EQUAL, 1, 0, calls.auditArch],
    [RETURN, 0, 0, EPERM],
    [LOAD_WORD, 0, 0, 0], // seccomp_data.nr
    [AND, 0, 0, 0xbfffffff], // without __X32_SYSCALL_BIT
    // Each refused number jumps to the EPERM at the end; anything else falls through to the checks.
    ...refused.map((nr, index) => [JUMP_IF_EQUAL, refused.length - index - 1 + checks.length, 0, nr]),
    ...checks,
    [RETURN, 0, 0, EPERM],
  ];
}

/** Perl (`perl-base` is essential on Debian and Ubuntu) makes the system calls util-linux has no command for. */
function perlProgram(calls: ArchitectureCalls): string {
  const filter = containerFilter(calls).flat().join(', ');
  return [
    `syscall(${calls.keyctl}, ${KEYCTL_JOIN_SESSION_KEYRING}, 0) >= 0 or die "airlock: cannot join a new session keyring: $!\\n";`,
    'opendir(my $fds, "/proc/self/fd") or die "airlock: cannot list /proc/self/fd: $!\\n";',
    'my @inherited = grep { /^\\d+$/ && $_ > 2 } readdir($fds);',
    'closedir($fds);',
    // The directory's own descriptor is among them, already closed: EBADF, ignored.
    `syscall(${calls.close}, $_ + 0) for @inherited;`,
    `syscall(${calls.prctl}, ${PR_SET_NO_NEW_PRIVS}, 1, 0, 0, 0) == 0 or die "airlock: cannot set no_new_privs: $!\\n";`,
    `my $filter = pack("(S C C L)*", ${filter});`,
    `syscall(${calls.prctl}, ${PR_SET_SECCOMP}, ${SECCOMP_MODE_FILTER}, pack("S x6 p", length($filter) / 8, $filter)) == 0 or die "airlock: cannot install the seccomp filter: $!\\n";`,
    'exec { $ARGV[0] } @ARGV; die "airlock: cannot exec $ARGV[0]: $!\\n";',
  ].join(' ');
}

let prefix: readonly string[] | null | undefined;

/**
 * A prefix for a container's launch command, run before anything else, that keeps the container from what the
 * process that started the rehearsal holds in the kernel but the mount view cannot hide:
 * - a new, empty session keyring, so it does not possess the session keyring of the shell that started it;
 * - shared memory that no rlimit counts, inotify/fanotify instances and socket buffer sizes, refused (see
 *   `containerFilter`);
 * - keyctl, add_key and request_key refused (seccomp, with no_new_privs): in `user` mode the container is the
 *   invoking user on the host, and the kernel lets an owner view and read its own keys by serial (the user keyring,
 *   a login's session keyring) whatever namespace it is in;
 * - every inherited descriptor above stderr closed: one left open without close-on-exec by whatever started the
 *   rehearsal (a shell's `exec 9<file`, a build tool) would reach a host file outside the container's root.
 * Undefined where it cannot (no Perl, another architecture): the run's summary then says so.
 */
export function perlLaunchStep(): readonly string[] | undefined {
  if (prefix === undefined) {
    const calls = CALLS[process.arch];
    prefix = calls !== undefined && hasPerl() ? ['perl', '-e', perlProgram(calls), '--'] : null;
  }
  return prefix ?? undefined;
}

let perlFound: boolean | undefined;

/** Whether `perl` runs here (checked once per process). */
export function hasPerl(): boolean {
  if (perlFound === undefined) {
    try {
      execFileSync('perl', ['-e', '1'], { stdio: 'ignore' });
      perlFound = true;
    } catch {
      perlFound = false;
    }
  }
  return perlFound;
}
