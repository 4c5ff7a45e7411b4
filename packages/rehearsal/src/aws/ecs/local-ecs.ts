import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VARIABLE } from '@airlock/contracts';
import { startContainer, type ContainerProcess } from './container-process.js';
import type { ContainerSpec, TaskSpec } from './task-definition.js';

/** A container override of RunTask: only environment is honoured (the launch workflow may set nothing else). */
export interface ContainerOverride {
  readonly Name: string;
  readonly Environment?: ReadonlyArray<{ readonly Name: string; readonly Value: string }>;
}

/** What runs as a container's program: the runner bundle with the container's command, or a stand-in for a fault. */
export type ContainerProgram = (container: ContainerSpec) => { program: string; args: readonly string[] };

type ContainerState =
  | { status: 'PENDING' }
  | { status: 'RUNNING'; process: ContainerProcess }
  | { status: 'STOPPED'; exitCode: number; process: ContainerProcess }
  /** A dependency can never be met: the container never starts and has no exit code. */
  | { status: 'NEVER'; reason: string };

/** One task of the rehearsal's cluster, described as ECS's DescribeTasks does (the fields the workflows read). */
export interface DescribedTask {
  readonly TaskArn: string;
  readonly ClusterArn: string;
  readonly TaskDefinitionArn: string;
  readonly StartedBy: string;
  readonly LastStatus: 'RUNNING' | 'STOPPED';
  readonly DesiredStatus: 'RUNNING' | 'STOPPED';
  readonly StopCode?: string;
  readonly StoppedReason?: string;
  readonly Containers: ReadonlyArray<{ Name: string; LastStatus: string; ExitCode?: number; Reason?: string }>;
}

export interface LocalEcsOptions {
  readonly program: ContainerProgram;
  /** The task definition's fixed environment as the rehearsal needs it (e.g. S3's address is the local front's). */
  readonly localEnvironment?: (environment: Readonly<Record<string, string>>) => Record<string, string>;
  /** Upper bound of a container's SIGTERM-to-SIGKILL pause (the template's stopTimeout, shortened). */
  readonly maxStopTimeoutMs?: number;
}

/**
 * ECS for the rehearsal: runs the synthesized task definition's containers as confined processes, ordered by their
 * dependency conditions, sharing one fresh scratch directory per task (read-only where the mount point says so),
 * and stops a task the way ECS does (SIGTERM, then SIGKILL after the stop timeout). Tasks are found again by
 * `startedBy` and stopped by ARN; a stopped task reports each container's exit code by name, or none.
 */
export class LocalEcs {
  /** Requests the stand-in refused, with why (never a request's values: overrides hold URLs). */
  readonly refusals: string[] = [];
  private readonly tasks = new Map<string, LocalTask>();
  private sequence = 0;

  constructor(
    readonly spec: TaskSpec,
    private readonly options: LocalEcsOptions,
  ) {}

  runTask(clusterArn: string, startedBy: string, overrides: readonly ContainerOverride[]): LocalTask {
    const id = `${(++this.sequence).toString(16).padStart(8, '0')}${process.pid.toString(16)}`;
    const arn = `${clusterArn.replace(':cluster/', ':task/')}/${id}`;
    const task = new LocalTask(arn, clusterArn, startedBy, this.spec, overrides, this.options);
    this.tasks.set(arn, task);
    return task;
  }

  /** ListTasks: the ARNs of the cluster's tasks with this `startedBy` and the desired status (RUNNING by default). */
  listTasks(clusterArn: string, startedBy: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): string[] {
    return [...this.tasks.values()]
      .filter((t) => t.clusterArn === clusterArn && t.startedBy === startedBy)
      .filter((t) => t.describe().DesiredStatus === desiredStatus)
      .map((t) => t.arn);
  }

  task(clusterArn: string, arn: string): LocalTask | undefined {
    const task = this.tasks.get(arn);
    return task?.clusterArn === clusterArn ? task : undefined;
  }

  /** Every task started so far. */
  all(): LocalTask[] {
    return [...this.tasks.values()];
  }

  /** Every task not yet STOPPED. */
  running(): LocalTask[] {
    return [...this.tasks.values()].filter((t) => t.describe().LastStatus !== 'STOPPED');
  }

  /** Host PIDs of every process any task of this cluster still has. */
  remainingProcesses(): number[] {
    return [...this.tasks.values()].flatMap((t) => t.remainingProcesses());
  }
}

export class LocalTask {
  private readonly states = new Map<string, ContainerState>();
  private readonly scratch = mkdtempSync(join(tmpdir(), 'airlock-task-'));
  private desired: 'RUNNING' | 'STOPPED' = 'RUNNING';
  private stopCode: string | undefined;
  private stoppedReason: string | undefined;
  private resolveStopped!: () => void;
  /** Resolves once every container has stopped (or will never start) and the scratch volume is gone. */
  readonly stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));

  constructor(
    readonly arn: string,
    readonly clusterArn: string,
    readonly startedBy: string,
    private readonly spec: TaskSpec,
    readonly overrides: readonly ContainerOverride[],
    private readonly options: LocalEcsOptions,
  ) {
    for (const c of spec.containers) this.states.set(c.name, { status: 'PENDING' });
    this.schedule();
  }

  describe(): DescribedTask {
    const containers = this.spec.containers.map((c) => {
      const state = this.states.get(c.name) ?? { status: 'PENDING' };
      return state.status === 'STOPPED'
        ? { Name: c.name, LastStatus: 'STOPPED', ExitCode: state.exitCode }
        : state.status === 'NEVER'
          ? { Name: c.name, LastStatus: 'STOPPED', Reason: state.reason }
          : { Name: c.name, LastStatus: state.status };
    });
    const done = this.isStopped();
    return {
      TaskArn: this.arn,
      ClusterArn: this.clusterArn,
      TaskDefinitionArn: this.spec.arn,
      StartedBy: this.startedBy,
      LastStatus: done ? 'STOPPED' : 'RUNNING',
      DesiredStatus: this.desired,
      ...(done && this.stopCode ? { StopCode: this.stopCode } : {}),
      ...(done && this.stoppedReason ? { StoppedReason: this.stoppedReason } : {}),
      Containers: containers,
    };
  }

  /** StopTask: no further container starts; each running one gets SIGTERM, then SIGKILL after its stop timeout. */
  stop(reason: string, stopCode = 'UserInitiated'): void {
    if (this.desired === 'STOPPED') return;
    this.desired = 'STOPPED';
    this.stopCode = stopCode;
    this.stoppedReason = reason;
    for (const c of this.spec.containers) {
      const state = this.states.get(c.name);
      if (state?.status === 'PENDING') this.states.set(c.name, { status: 'NEVER', reason: 'the task was stopped' });
      if (state?.status !== 'RUNNING') continue;
      state.process.signal('SIGTERM');
      const grace = Math.min(c.stopTimeoutSeconds * 1000, this.options.maxStopTimeoutMs ?? 2_000);
      setTimeout(() => state.process.signal('SIGKILL'), grace).unref();
    }
    this.finishIfDone();
  }

  /** The container's log stream: what it wrote to stdout and stderr. */
  logs(container: string): string {
    const state = this.states.get(container);
    return state && 'process' in state ? state.process.output() : '';
  }

  remainingProcesses(): number[] {
    return [...this.states.values()].flatMap((s) => ('process' in s ? s.process.remaining() : []));
  }

  private isStopped(): boolean {
    return [...this.states.values()].every((s) => s.status === 'STOPPED' || s.status === 'NEVER');
  }

  /** Starts every container whose dependencies are met; marks those whose dependencies never can be. */
  private schedule(): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const container of this.spec.containers) {
        if (this.states.get(container.name)?.status !== 'PENDING') continue;
        const verdict = this.dependencies(container);
        if (verdict === 'wait') continue;
        changed = true;
        if (verdict === 'met' && this.desired === 'RUNNING') this.start(container);
        else
          this.states.set(container.name, {
            status: 'NEVER',
            reason: verdict === 'met' ? 'the task was stopped' : verdict,
          });
      }
    }
    this.finishIfDone();
  }

  private dependencies(container: ContainerSpec): 'met' | 'wait' | string {
    for (const { containerName, condition } of container.dependsOn) {
      const dep = this.states.get(containerName) ?? { status: 'PENDING' };
      const never = `dependency ${containerName} ${condition} can never be met`;
      if (dep.status === 'NEVER') return never;
      if (condition === 'START' && dep.status === 'PENDING') return 'wait';
      if (condition === 'COMPLETE' && dep.status !== 'STOPPED') return 'wait';
      if (condition === 'SUCCESS') {
        if (dep.status !== 'STOPPED') return 'wait';
        if (dep.exitCode !== 0) return never;
      }
      if (condition === 'HEALTHY') return `${never}: the rehearsal runs no health checks`;
    }
    return 'met';
  }

  private start(container: ContainerSpec): void {
    const fixed = this.options.localEnvironment?.(container.environment) ?? { ...container.environment };
    const override = this.overrides.find((o) => o.Name === container.name);
    const mountsScratch = container.mountPoints.length > 0;
    const env = {
      ...fixed,
      ...Object.fromEntries((override?.Environment ?? []).map((e) => [e.Name, e.Value])),
      // The runner reads the volume's mount point from SCRATCH_DIR; here the volume is a host directory.
      ...(mountsScratch ? { [VARIABLE.SCRATCH_DIR]: this.scratch } : {}),
    };
    const readOnly = container.mountPoints.some((m) => m.readOnly) ? [this.scratch] : [];
    const { program, args } = this.options.program(container);
    const process = startContainer(program, args, env, { readOnly });
    this.states.set(container.name, { status: 'RUNNING', process });
    void process.exited.then(({ exitCode }) => {
      this.states.set(container.name, { status: 'STOPPED', exitCode, process });
      // ECS stops the whole task when an essential container exits.
      if (container.essential) this.stop('Essential container in task exited', 'EssentialContainerExited');
      this.schedule();
    });
  }

  private finishIfDone(): void {
    if (!this.isStopped()) return;
    if (!this.stoppedReason) {
      // Nothing runs and nothing can start (a dependency that is never met): ECS stops the task. Its exact
      // StopCode and reason for this case are unverified; the launch result carries whatever ECS says.
      this.stopCode = 'TaskFailedToStart';
      this.stoppedReason = 'a container dependency can never be met';
    }
    this.desired = 'STOPPED';
    rmSync(this.scratch, { recursive: true, force: true });
    this.resolveStopped();
  }
}
