import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalEcs, type KernelConfinement, type LocalTask } from '../../../src/aws/ecs/local-ecs.js';
import { containerSpecs, type TaskSpec } from '../../../src/aws/ecs/task-definition.js';

const probe = fileURLToPath(new URL('./probe-container.mjs', import.meta.url));
const cluster = 'arn:aws:ecs:eu-west-1:222222222222:cluster/test';
const scratch = (readOnly = false) => [{ SourceVolume: 'scratch', ContainerPath: '/scratch', ReadOnly: readOnly }];

/** The runner task's shape: fetch SUCCESS → run, run COMPLETE → deliver (essential, read-only scratch). */
function spec(behaviour: Record<string, string>): TaskSpec {
  return {
    family: 'test',
    arn: 'arn:aws:ecs:eu-west-1:222222222222:task-definition/test:1',
    executionRoleArn: 'arn:aws:iam::222222222222:role/exec',
    memoryMiB: 256,
    cpuUnits: 256,
    architecture: 'ARM64',
    containers: containerSpecs([
      {
        Name: 'fetch',
        User: '10001:10001',
        ReadonlyRootFilesystem: true,
        Command: ['fetch', behaviour.fetch ?? 'exit-0'],
        Essential: false,
        Environment: [{ Name: 'FIXED', Value: 'from-the-template' }],
        MountPoints: scratch(),
      },
      {
        Name: 'run',
        User: '10001:10001',
        ReadonlyRootFilesystem: true,
        Command: ['run', behaviour.run ?? 'exit-0'],
        Essential: false,
        DependsOn: [{ ContainerName: 'fetch', Condition: 'SUCCESS' }],
        MountPoints: scratch(),
      },
      {
        Name: 'deliver',
        User: '10001:10001',
        ReadonlyRootFilesystem: true,
        Command: ['deliver', behaviour.deliver ?? 'exit-0'],
        DependsOn: [{ ContainerName: 'run', Condition: 'COMPLETE' }],
        MountPoints: scratch(true),
        StopTimeout: 1,
      },
    ]),
  };
}

const kernel: KernelConfinement = { mode: 'root', scratchBytes: 4 * 1024 * 1024, wallClockMs: 30_000 };
const modes = [
  ['kernel-confined', kernel],
  ['in a PID namespace only', undefined],
] as const;
const made: LocalEcs[] = [];
const ecsFor = (behaviour: Record<string, string>, confinement: KernelConfinement | undefined) => {
  const ecs = new LocalEcs(spec(behaviour), {
    program: (c) => ({ program: probe, args: [c.name, ...c.command.slice(1)] }),
    ...(confinement ? { confinement } : {}),
  });
  made.push(ecs);
  return ecs;
};
// Each ECS stand-in's image roots go once its tasks have stopped.
afterEach(() => made.splice(0).forEach((ecs) => ecs.close()));
const seen = (task: LocalTask, name: string) =>
  JSON.parse(task.logs(name).split('\n')[0] ?? 'null') as {
    pid: number;
    writable: boolean;
    env: Record<string, string>;
  };

describe.each(modes)('the ECS stand-in, %s', (_, confinement) => {
  it('runs fetch, then run, then deliver; deliver gets no writable scratch; each is PID 1 with exactly its environment', async () => {
    const ecs = ecsFor({}, confinement);
    const task = await ecs.runTask(cluster, 'run-1', [
      { Name: 'fetch', Environment: [{ Name: 'INPUT_URL', Value: 'u' }] },
    ]);
    await task.stopped;
    expect(task.describe()).toMatchObject({
      LastStatus: 'STOPPED',
      StartedBy: 'run-1',
      StopCode: 'EssentialContainerExited',
      StoppedReason: 'Essential container in task exited',
      Containers: [
        { Name: 'fetch', ExitCode: 0 },
        { Name: 'run', ExitCode: 0 },
        { Name: 'deliver', ExitCode: 0 },
      ],
    });
    expect(['fetch', 'run', 'deliver'].map((n) => [n, seen(task, n).pid, seen(task, n).writable])).toEqual([
      ['fetch', 1, true],
      ['run', 1, true],
      ['deliver', 1, false],
    ]);
    // Unconfined, the volume is a host directory the containers find through SCRATCH_DIR; confined, it is /scratch.
    const scratchDir = confinement ? {} : { SCRATCH_DIR: seen(task, 'fetch').env.SCRATCH_DIR };
    expect(seen(task, 'fetch').env).toEqual({ FIXED: 'from-the-template', INPUT_URL: 'u', ...scratchDir });
    expect(seen(task, 'run').env).toEqual(scratchDir);
  });

  it('never starts run or deliver when fetch fails: they have no exit code', async () => {
    const task = await ecsFor({ fetch: 'exit-3' }, confinement).runTask(cluster, 'run-2', []);
    await task.stopped;
    expect(task.describe().Containers).toEqual([
      { Name: 'fetch', LastStatus: 'STOPPED', ExitCode: 3 },
      { Name: 'run', LastStatus: 'STOPPED', Reason: 'dependency fetch SUCCESS can never be met' },
      { Name: 'deliver', LastStatus: 'STOPPED', Reason: 'dependency run COMPLETE can never be met' },
    ]);
    expect(task.describe().LastStatus).toBe('STOPPED');
  });

  it('finds a task by StartedBy and StopTask kills all its processes, a setsid child included', async () => {
    const ecs = ecsFor({ run: 'hang-with-setsid-child' }, confinement);
    const task = await ecs.runTask(cluster, 'run-3', []);
    const runRunning = () => task.describe().Containers.find((c) => c.Name === 'run')?.LastStatus === 'RUNNING';
    // run's launcher or namespace holder, the probe and its setsid child.
    await expect.poll(() => runRunning() && task.remainingProcesses().length >= 3, { timeout: 10_000 }).toBe(true);
    expect(ecs.listTasks(cluster, 'run-3')).toEqual([task.arn]);
    expect(ecs.listTasks(cluster, 'run-other')).toEqual([]);
    task.stop('stopped by the test');
    await task.stopped;
    expect(task.describe()).toMatchObject({ LastStatus: 'STOPPED', StoppedReason: 'stopped by the test' });
    // A container that ended otherwise than killed shows its output: what it said is why.
    expect(
      task.describe().Containers.map((c) => [c.Name, c.ExitCode === 1 ? `1: ${task.logs(c.Name).trim()}` : c.ExitCode]),
    ).toEqual([
      ['fetch', 0],
      ['run', 137],
      ['deliver', undefined],
    ]);
    expect(task.remainingProcesses()).toEqual([]);
    expect(ecs.listTasks(cluster, 'run-3')).toEqual([]);
  });
});
