import { execFileSync } from 'node:child_process';

/** keyctl(2)'s system-call number where the rehearsal knows it (arm64 uses the generic table). */
const KEYCTL_SYSCALL: Readonly<Partial<Record<NodeJS.Architecture, number>>> = { x64: 250, arm64: 219 };
/** keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL): join a new, empty, anonymous session keyring. */
const JOIN_NEW_SESSION_KEYRING = (syscall: number): string =>
  `syscall(${syscall}, 1, 0) >= 0 or die "airlock: cannot join a new session keyring: $!\\n"; ` +
  `exec { $ARGV[0] } @ARGV; die "airlock: cannot exec $ARGV[0]: $!\\n";`;

let prefix: readonly string[] | null | undefined;

/**
 * A prefix for a container's launch command that gives it, and everything it starts, a new empty session keyring.
 * Without it a container inherits the session keyring of the shell that started the rehearsal, and possesses it:
 * it could read whatever keys a login keeps there (the uid change does not matter to a possessor). util-linux has no
 * command for it; Perl (`perl-base` is essential on Debian and Ubuntu) makes the one system call, then execs the
 * rest. Undefined where it cannot (no Perl, another architecture): the run's summary then says so.
 */
export function freshSessionKeyring(): readonly string[] | undefined {
  if (prefix === undefined) {
    const syscall = KEYCTL_SYSCALL[process.arch];
    prefix = syscall !== undefined && hasPerl() ? ['perl', '-e', JOIN_NEW_SESSION_KEYRING(syscall), '--'] : null;
  }
  return prefix ?? undefined;
}

function hasPerl(): boolean {
  try {
    execFileSync('perl', ['-e', '1'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
