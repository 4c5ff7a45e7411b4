import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  childrenCpuMs,
  createConfinedTask,
  measureStartCost,
  type ConfinedContainerSpec,
  type KernelConfinementMode,
  type StartCost,
} from '../confinement/index.js';
import type { TaskSpec } from '../aws/ecs/task-definition.js';

export interface ConfinementCost {
  /** One container start (`node -e 0`), confined and plain. */
  readonly start: StartCost;
  /** Mean wall-clock and CPU milliseconds to set up and tear down one task's namespaces and listener. */
  readonly taskMs: number;
  readonly taskCpuMs: number;
  /** What confinement adds to one run: the task's setup plus its three container starts, in CPU milliseconds. */
  readonly perRunCpuMs: number;
}

/** What confinement costs on this machine, for the bench: measured with the task definition's own limits. */
export async function measureConfinementCost(
  task: TaskSpec,
  runner: string,
  mode: KernelConfinementMode,
  samples = 5,
): Promise<ConfinementCost> {
  const cpuBefore = childrenCpuMs();
  const before = performance.now();
  for (let i = 0; i < samples; i++) {
    const confined = await createConfinedTask({
      mode,
      scratchBytes: 1024 * 1024,
      scratchOwner: { uid: 10001, gid: 10001 },
      // The listener's cost: nothing connects, so the front is a server that never listens.
      forward: { listenPort: 9000, front: new Server() },
    });
    await confined.close();
  }
  const taskMs = (performance.now() - before) / samples;
  const taskCpuMs = (childrenCpuMs() - cpuBefore) / samples;
  const imageRoot = mkdtempSync(join(tmpdir(), 'airlock-bench-image-'));
  const confined = await createConfinedTask({
    mode,
    scratchBytes: 1024 * 1024,
    scratchOwner: { uid: 10001, gid: 10001 },
  });
  try {
    mkdirSync(join(imageRoot, 'opt', 'airlock'), { recursive: true });
    copyFileSync(runner, join(imageRoot, 'opt', 'airlock', 'runner.mjs'));
    const spec: ConfinedContainerSpec = {
      name: 'bench',
      argv: ['node', '-e', '0'],
      environment: {},
      uid: 10001,
      gid: 10001,
      readonlyRootFilesystem: true,
      mountPoints: [{ containerPath: '/scratch', readOnly: false }],
      workingDirectory: '/scratch',
      memoryBytes: task.memoryMiB * 1024 * 1024,
      cpuUnits: task.cpuUnits,
      maxProcesses: 256,
      wallClockMs: 60_000,
      imageRoot,
    };
    const start = await measureStartCost(confined, spec, samples);
    const containers = task.containers.length;
    return {
      start,
      taskMs,
      taskCpuMs,
      perRunCpuMs: taskCpuMs + containers * (start.confinedCpuMs - start.unconfinedCpuMs),
    };
  } finally {
    await confined.close();
    rmSync(imageRoot, { recursive: true, force: true });
  }
}
