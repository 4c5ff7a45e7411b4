import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { SCRATCH_PATH, VARIABLE } from '@airlock/contracts';
import {
  containerSpecFromDefinition,
  createConfinedTask,
  type ConfinedTask,
  type ForwardTarget,
  type KernelConfinementMode,
} from '../../confinement/index.js';
import { startContainer, type ContainerLaunch, type ContainerProcess } from './container-process.js';
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
  | { status: 'STOPPED'; exitCode: number; reason?: string; process: ContainerProcess }
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

/** The rehearsal's choices for kernel-confined tasks: what the task definition does not say, or says for Fargate. */
export interface KernelConfinement {
  /** As root, or as the invoking user through user namespaces (see confinement/confinement-mode.ts). */
  readonly mode: KernelConfinementMode;
  /** Size of each task's scratch volume: a RAM-backed tmpfs standing in for Fargate's ephemeral storage. */
  readonly scratchBytes: number;
  /**
   * The task network's only way out: a port on the task's own loopback whose connections the S3 front serves.
   * @default - no way out at all
   */
  readonly forward?: ForwardTarget;
  /** A container still running after this long is killed with everything it started. */
  readonly wallClockMs: number;
}

export interface LocalEcsOptions {
  readonly program: ContainerProgram;
  /** The task definition's fixed environment as the rehearsal needs it (e.g. S3's address is the local front's). */
  readonly localEnvironment?: (environment: Readonly<Record<string, string>>) => Record<string, string>;
  /** Upper bound of a container's SIGTERM-to-SIGKILL pause (the template's stopTimeout, shortened). */
  readonly maxStopTimeoutMs?: number;
  /** @default - each container only in its own PID namespace, as the invoking user (see ContainerLaunch) */
  readonly confinement?: KernelConfinement;
}

/**
 * ECS for the rehearsal: runs the synthesized task definition's containers as confined processes, ordered by their
 * dependency conditions, sharing one fresh scratch volume per task (read-only where the mount point says so) and,
 * when kernel-confined, one network namespace per task whose only exit is a listener handing its connections to the S3
 * front. It stops a task the way ECS does (SIGTERM, then SIGKILL after the stop timeout). Tasks are found again by
 * `startedBy` and stopped by ARN; a stopped task reports each container's exit code by name, or none.
 */
export class LocalEcs {
  /** Requests the stand-in refused, with why (never a request's values: overrides hold URLs). */
  readonly refusals: string[] = [];
  private readonly tasks = new Map<string, LocalTask>();
  private sequence = 0;
  private readonly images = new ImageRoots();

  constructor(
    readonly spec: TaskSpec,
    private readonly options: LocalEcsOptions,
  ) {}

  async runTask(clusterArn: string, startedBy: string, overrides: readonly ContainerOverride[]): Promise<LocalTask> {
    const id = `${(++this.sequence).toString(16).padStart(8, '0')}${process.pid.toString(16)}`;
    const arn = `${clusterArn.replace(':cluster/', ':task/')}/${id}`;
    const kernel = this.options.confinement;
    const confined = kernel
      ? {
          task: await createConfinedTask({
            mode: kernel.mode,
            scratchBytes: kernel.scratchBytes,
            scratchOwner: scratchOwner(this.spec),
            ...(kernel.forward ? { forward: kernel.forward } : {}),
          }),
          images: this.images,
          wallClockMs: kernel.wallClockMs,
        }
      : undefined;
    try {
      const task = new LocalTask(arn, clusterArn, startedBy, this.spec, overrides, this.options, confined);
      this.tasks.set(arn, task);
      return task;
    } catch (error) {
      // A container the confinement refuses to start (e.g. a root User): the task's namespaces must not outlive it.
      await confined?.task.close();
      throw error;
    }
  }

  /** Removes the image roots; call once every task has stopped. */
  close(): void {
    this.images.remove();
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

/** A kernel-confined task's shared namespaces, and where its containers' image roots come from. */
interface TaskConfinement {
  readonly task: ConfinedTask;
  readonly images: ImageRoots;
  readonly wallClockMs: number;
}

export class LocalTask {
  private readonly states = new Map<string, ContainerState>();
  /** The unconfined stand-in's scratch volume: a host directory (a kernel-confined task's is inside its namespace). */
  private readonly scratch: string | undefined;
  private finished = false;
  private desired: 'RUNNING' | 'STOPPED' = 'RUNNING';
  private stopCode: string | undefined;
  private stoppedReason: string | undefined;
  private resolveStopped!: () => void;
  /** Resolves once every container has stopped (or will never start) and the scratch volume is gone. */
  readonly stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));
  private readonly startedAt = performance.now();
  private stoppedAt: number | undefined;

  constructor(
    readonly arn: string,
    readonly clusterArn: string,
    readonly startedBy: string,
    private readonly spec: TaskSpec,
    readonly overrides: readonly ContainerOverride[],
    private readonly options: LocalEcsOptions,
    private readonly confined?: TaskConfinement,
  ) {
    if (!confined) this.scratch = mkdtempSync(join(tmpdir(), 'airlock-task-'));
    for (const c of spec.containers) this.states.set(c.name, { status: 'PENDING' });
    // A task whose network lost its one way out cannot do its work: it is stopped, with why, and its run fails as
    // any run whose task stopped early does. ECS has no stop code for this; TaskFailedToStart is the nearest.
    void confined?.task.listenerFailed.then((error) =>
      this.stop(`the task network's listener failed, leaving no way out: ${error.message}`, 'TaskFailedToStart'),
    );
    this.schedule();
  }

  describe(): DescribedTask {
    const containers = this.spec.containers.map((c) => {
      const state = this.states.get(c.name) ?? { status: 'PENDING' };
      return state.status === 'STOPPED'
        ? {
            Name: c.name,
            LastStatus: 'STOPPED',
            ExitCode: state.exitCode,
            ...(state.reason ? { Reason: state.reason } : {}),
          }
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

  /** What Fargate would bill: the task's size and how long it ran (so far, while it runs). */
  billing(): { vcpu: number; memoryGb: number; seconds: number; architecture: 'ARM64' | 'X86_64' } {
    return {
      vcpu: this.spec.cpuUnits / 1024,
      memoryGb: this.spec.memoryMiB / 1024,
      seconds: ((this.stoppedAt ?? performance.now()) - this.startedAt) / 1000,
      architecture: this.spec.architecture,
    };
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
    const environment = {
      ...fixed,
      ...Object.fromEntries((override?.Environment ?? []).map((e) => [e.Name, e.Value])),
    };
    const process = startContainer(this.launch(container, environment));
    this.states.set(container.name, { status: 'RUNNING', process });
    void process.exited.then(({ exitCode, reason }) => {
      this.states.set(container.name, { status: 'STOPPED', exitCode, ...(reason ? { reason } : {}), process });
      // ECS stops the whole task when an essential container exits.
      if (container.essential) this.stop('Essential container in task exited', 'EssentialContainerExited');
      this.schedule();
    });
  }

  /** How a container is launched: from its definition and the image root holding its program, or unconfined. */
  private launch(container: ContainerSpec, environment: Record<string, string>): ContainerLaunch {
    const { program, args } = this.options.program(container);
    if (this.confined) {
      const { task, images, wallClockMs } = this.confined;
      const spec = containerSpecFromDefinition(
        {
          Name: container.name,
          Command: [...args],
          ...(container.user === undefined ? {} : { User: container.user }),
          ReadonlyRootFilesystem: container.readonlyRootFilesystem,
          MountPoints: container.mountPoints.map((m) => ({ ContainerPath: m.containerPath, ReadOnly: m.readOnly })),
        },
        {
          taskMemoryMiB: this.spec.memoryMiB,
          taskCpuUnits: this.spec.cpuUnits,
          // The Dockerfile's ENTRYPOINT and WORKDIR, with the program the image (or a fault's stand-in) holds.
          imageEntryPoint: ['node', `${IMAGE_PROGRAM_DIR}/${basename(program)}`],
          imageWorkingDirectory: SCRATCH_PATH,
          imageRoot: images.holding(program),
          overrides: environment,
          wallClockMs,
        },
      );
      return { kind: 'kernel', task, spec };
    }
    const scratch = this.scratch ?? '';
    return {
      kind: 'pid-namespace',
      program,
      args,
      // The runner reads the volume's mount point from SCRATCH_DIR; here the volume is a host directory.
      env: container.mountPoints.length > 0 ? { ...environment, [VARIABLE.SCRATCH_DIR]: scratch } : environment,
      readOnly: container.mountPoints.some((m) => m.readOnly) ? [scratch] : [],
    };
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
    if (this.finished) return;
    this.finished = true;
    this.stoppedAt = performance.now();
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
    // A confined task's network, listener and scratch volume end with its namespaces' holder.
    void (this.confined?.task.close() ?? Promise.resolve()).finally(() => this.resolveStopped());
  }
}

/** Where the image keeps its program (the Dockerfile's `COPY runner.mjs /opt/airlock/runner.mjs`). */
const IMAGE_PROGRAM_DIR = '/opt/airlock';

/** The scratch volume's owner: the containers' user (the image `chown`s /scratch to it and declares it a VOLUME). */
function scratchOwner(spec: TaskSpec): { uid: number; gid: number } {
  const users = new Set(spec.containers.map((c) => c.user));
  const [user] = users;
  const match = /^(\d+):(\d+)$/.exec(user ?? '');
  if (users.size !== 1 || !match) {
    throw new Error(
      `every container of task definition ${spec.family} must run as one numeric "uid:gid" User (got ${[...users].map((u) => JSON.stringify(u)).join(', ')}); set User in the task definition`,
    );
  }
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

/**
 * Image roots: for each program a container runs, a host directory holding exactly `opt/airlock/<program>` (what
 * the image holds besides the Node runtime, which the confinement adds). Made once per program, read-only to
 * containers.
 */
class ImageRoots {
  private dir: string | undefined;
  private readonly roots = new Map<string, string>();

  holding(program: string): string {
    const known = this.roots.get(program);
    if (known) return known;
    this.dir ??= mkdtempSync(join(tmpdir(), 'airlock-images-'));
    const root = join(this.dir, String(this.roots.size));
    mkdirSync(join(root, IMAGE_PROGRAM_DIR), { recursive: true });
    copyFileSync(program, join(root, IMAGE_PROGRAM_DIR, basename(program)));
    this.roots.set(program, root);
    return root;
  }

  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.roots.clear();
  }
}
