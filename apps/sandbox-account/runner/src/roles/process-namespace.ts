import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * True when this process is PID 1 of its PID namespace and /proc is that namespace's. Only then may it kill
 * everything with `kill(-1)` (outside a namespace that would hit every process the user may signal, on a laptop
 * or in CI as root) and check in /proc that nothing survived.
 */
export function isNamespaceInit(): boolean {
  if (process.pid !== 1) return false;
  try {
    return readlinkSync('/proc/self') === '1';
  } catch {
    return false;
  }
}

/**
 * SIGKILL to every process of the namespace, whatever its session or group. The kernel spares the caller and, from
 * inside the namespace, ignores SIGKILL and SIGSTOP sent to PID 1: the submission cannot stop the supervisor.
 */
export function killEverything(): void {
  try {
    process.kill(-1, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // ESRCH: nothing left to kill.
  }
}

/** PIDs of the namespace still alive besides PID 1 (zombies are dead: they wait only to be reaped). */
export function survivors(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && entry !== '1')
    .filter((pid) => !['Z', 'X', undefined].includes(processState(pid)))
    .map(Number);
}

/** Waits until nothing but PID 1 is alive, killing again meanwhile; returns what still lives after `timeoutMs`. */
export async function killUntilAlone(timeoutMs: number): Promise<number[]> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    killEverything();
    const alive = survivors();
    if (alive.length === 0 || Date.now() >= giveUp) return alive;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// The state letter follows the command name in parentheses, which may itself hold spaces or parentheses.
function processState(pid: string): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined; // Gone between the listing and the read.
  }
}
