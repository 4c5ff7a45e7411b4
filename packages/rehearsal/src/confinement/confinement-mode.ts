import { execFileSync } from 'node:child_process';

/**
 * How far the kernel can confine a container on this machine:
 * - `root`: namespaces, a private read-only mount view, uid/gid from the task definition outside the namespaces,
 *   no capabilities, no_new_privs, cgroup limits. The only mode that confines (see README of this folder).
 * - `none`: not root. A user namespace would only make the invoking user look like 10001 inside: it keeps the
 *   invoking user's uid on the host, so it could read and signal everything else of that user. The rehearsal must
 *   then refuse untrusted submissions (or run them with `--unconfined`, knowingly).
 */
export type ConfinementMode = 'root' | 'none';

/** CI sets this so that a machine that cannot confine fails the tests instead of falling back. */
export const REQUIRE_CONFINEMENT_VARIABLE = 'AIRLOCK_REQUIRE_CONFINEMENT';

/** Host tools the confinement runs; util-linux is on every Linux base image, iproute2 on nearly every one. */
export const REQUIRED_TOOLS = ['unshare', 'nsenter', 'setpriv', 'mount', 'ip'] as const;

export interface ConfinementAvailability {
  readonly mode: ConfinementMode;
  /** Why the mode is `none`, in one line; empty when confined. */
  readonly reason: string;
}

export function detectConfinement(): ConfinementAvailability {
  if (process.platform !== 'linux') {
    return { mode: 'none', reason: `confinement needs Linux namespaces; this is ${process.platform}` };
  }
  if (process.getuid?.() !== 0) {
    return {
      mode: 'none',
      reason:
        'confinement needs root (sudo) to run containers as uid 10001 on the host; a user namespace would keep your own uid',
    };
  }
  const missing = REQUIRED_TOOLS.filter((tool) => !hasTool(tool));
  if (missing.length > 0) {
    return { mode: 'none', reason: `confinement needs ${missing.join(', ')} (util-linux, iproute2); install them` };
  }
  return { mode: 'root', reason: '' };
}

/** Throws when confinement is unavailable and the environment demands it; otherwise returns the availability. */
export function confinementOrFail(env: NodeJS.ProcessEnv = process.env): ConfinementAvailability {
  const availability = detectConfinement();
  if (availability.mode === 'none' && env[REQUIRE_CONFINEMENT_VARIABLE] === '1') {
    throw new Error(
      `${REQUIRE_CONFINEMENT_VARIABLE}=1 but ${availability.reason}; run as root on Linux, or unset the variable to allow the unconfined fallback`,
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
