import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startConfinedContainer } from './confined-container.js';
import type { ConfinedTask } from './confined-task.js';
import type { ConfinedContainerSpec } from './container-spec.js';

export interface StartCost {
  /** Mean wall-clock milliseconds for a container running `node -e 0`, confined and as a plain child process. */
  readonly confinedMs: number;
  readonly unconfinedMs: number;
  /** Mean CPU milliseconds (user + system of every process involved), confined and plain. */
  readonly confinedCpuMs: number;
  readonly unconfinedCpuMs: number;
  readonly samples: number;
}

/**
 * What confinement costs per container start, for the bench: `samples` starts of an empty Node program in the
 * given task with `spec`'s limits, against the same program started as a plain child. CPU comes from this
 * process's reaped-children times in /proc/self/stat (clock ticks, 10 ms resolution; averaged over the samples).
 */
export async function measureStartCost(
  task: ConfinedTask,
  spec: ConfinedContainerSpec,
  samples = 5,
): Promise<StartCost> {
  const confined = await sample(samples, async () => {
    const result = await startConfinedContainer(task, { ...spec, argv: ['node', '-e', '0'] }).exited;
    if (result.exitCode !== 0) throw new Error(`confined node -e 0 failed (${result.exitCode}): ${result.stderr}`);
  });
  const unconfined = await sample(samples, () => plainNode());
  return {
    confinedMs: confined.ms,
    unconfinedMs: unconfined.ms,
    confinedCpuMs: confined.cpuMs,
    unconfinedCpuMs: unconfined.cpuMs,
    samples,
  };
}

async function sample(samples: number, start: () => Promise<void>): Promise<{ ms: number; cpuMs: number }> {
  const cpuBefore = childrenCpuMs();
  const before = performance.now();
  for (let i = 0; i < samples; i++) await start();
  return { ms: (performance.now() - before) / samples, cpuMs: (childrenCpuMs() - cpuBefore) / samples };
}

function plainNode(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

/** cutime + cstime (fields 16 and 17) of /proc/self/stat, in milliseconds at 100 ticks per second. */
export function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}
