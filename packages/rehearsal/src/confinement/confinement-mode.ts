import { execFileSync, spawnSync } from 'node:child_process';
import { release } from 'node:os';

/**
 * How far the kernel can confine a container on this machine (see README of this folder):
 * - `root`: namespaces, a private read-only mount view, uid/gid from the task definition outside the namespaces,
 *   no capabilities, no_new_privs, cgroup limits.
 * - `user`: not root, but unprivileged user namespaces work: the same namespaces and mount view, the definition's
 *   uid/gid inside a user namespace of its own, no capabilities in any namespace it can reach, no_new_privs, and
 *   rlimits instead of cgroups. On the host every container process runs as the invoking user: only the namespaces
 *   and the mount view keep it from that user's other processes and files.
 * - `none`: neither (macOS, no user namespaces, tools missing). The rehearsal then refuses untrusted submissions
 *   (or runs them with `--unconfined`, knowingly).
 */
export type ConfinementMode = 'root' | 'user' | 'none';

/** CI sets this so that a machine that cannot confine fails the tests instead of falling back. */
export const REQUIRE_CONFINEMENT_VARIABLE = 'AIRLOCK_REQUIRE_CONFINEMENT';

/** Host tools the confinement runs; util-linux is on every Linux base image, iproute2 on nearly every one. */
export const REQUIRED_TOOLS = ['unshare', 'nsenter', 'setpriv', 'mount', 'ip'] as const;
/** `user` mode sets its limits with util-linux's `prlimit` and the container's host name with `hostname`. */
export const USER_MODE_TOOLS = ['prlimit', 'hostname'] as const;
/** Since Linux 5.14 RLIMIT_NPROC is counted per user namespace; before, it counts every process of the invoking user. */
const NPROC_PER_USER_NAMESPACE = [5, 14] as const;

export interface ConfinementAvailability {
  readonly mode: ConfinementMode;
  /** Why the mode is `none`, in one line; empty when confined. */
  readonly reason: string;
}

let detected: ConfinementAvailability | undefined;

/** The mode this machine allows; the user-namespace probe runs once per process. */
export function detectConfinement(): ConfinementAvailability {
  detected ??= detect();
  return detected;
}

function detect(): ConfinementAvailability {
  if (process.platform !== 'linux') {
    return { mode: 'none', reason: `confinement needs Linux namespaces; this is ${process.platform}` };
  }
  const root = process.getuid?.() === 0;
  const missing = [...REQUIRED_TOOLS, ...(root ? [] : USER_MODE_TOOLS)].filter((tool) => !hasTool(tool));
  if (missing.length > 0) {
    return { mode: 'none', reason: `confinement needs ${missing.join(', ')} (util-linux, iproute2); install them` };
  }
  if (root) return { mode: 'root', reason: '' };
  const [major = 0, minor = 0] = release().split('.').map(Number);
  const [needMajor, needMinor] = NPROC_PER_USER_NAMESPACE;
  if (major < needMajor || (major === needMajor && minor < needMinor)) {
    return {
      mode: 'none',
      reason: `confinement without root needs Linux ${needMajor}.${needMinor} or later (RLIMIT_NPROC per user namespace) and this is ${release()}; run as root (sudo)`,
    };
  }
  const probe = userNamespaceProbe();
  if (probe) {
    return {
      mode: 'none',
      reason: `confinement without root needs unprivileged user namespaces, and creating one failed (${probe}); allow them (sysctl kernel.unprivileged_userns_clone=1 or kernel.apparmor_restrict_unprivileged_userns=0) or run as root (sudo)`,
    };
  }
  return { mode: 'user', reason: '' };
}

/**
 * Creates, once, the namespaces `user` mode needs: a user namespace with its own network, mount and PID namespaces,
 * and inside it a nested user namespace mapping a non-zero uid. Returns why it failed, or '' (about 10 ms).
 */
function userNamespaceProbe(): string {
  const result = spawnSync(
    'unshare',
    [
      '--user',
      '--map-root-user',
      '--net',
      '--mount',
      '--pid',
      '--fork',
      '--',
      'unshare',
      '--user',
      '--map-user=10001',
      '--map-group=10001',
      '--',
      'true',
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (result.status === 0) return '';
  return (result.error?.message ?? result.stderr.trim()) || `exit ${String(result.status ?? result.signal)}`;
}

/** Throws when confinement is unavailable and the environment demands it; otherwise returns the availability. */
export function confinementOrFail(env: NodeJS.ProcessEnv = process.env): ConfinementAvailability {
  const availability = detectConfinement();
  if (availability.mode === 'none' && env[REQUIRE_CONFINEMENT_VARIABLE] === '1') {
    throw new Error(
      `${REQUIRE_CONFINEMENT_VARIABLE}=1 but ${availability.reason}; run on Linux as root or with unprivileged user namespaces, or unset the variable to allow the unconfined fallback`,
    );
  }
  return availability;
}

function hasTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
