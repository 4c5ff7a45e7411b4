/**
 * What one confined container is started from: the fields of a container definition in the synthesized task
 * definition, plus the rehearsal's own choices (where the image root and scratch live, the wall-clock limit).
 */
export interface ConfinedContainerSpec {
  /** Container name (used in errors and cgroup names). */
  readonly name: string;
  /** The full argv: the image's ENTRYPOINT followed by the definition's `Command`. A bare `node` is the runtime. */
  readonly argv: readonly string[];
  /** Exactly the environment the container gets: the definition's `Environment` plus the RunTask overrides. */
  readonly environment: Readonly<Record<string, string>>;
  /** Numeric uid and gid of the definition's `User` ("10001:10001"); never 0. */
  readonly uid: number;
  readonly gid: number;
  /** The definition's `ReadonlyRootFilesystem`; the confinement refuses a writable root (the image root is shared). */
  readonly readonlyRootFilesystem: boolean;
  /** Mount points: each container path backed by the task's scratch volume, read-only or not. */
  readonly mountPoints: readonly { readonly containerPath: string; readonly readOnly: boolean }[];
  /** Working directory inside the container (the image's WORKDIR). */
  readonly workingDirectory: string;
  /** Memory limit in bytes (the task's memory). */
  readonly memoryBytes: number;
  /** CPU units (1024 = one vCPU) of the task. */
  readonly cpuUnits: number;
  /** Most processes (threads included) the container may have at once. */
  readonly maxProcesses: number;
  /** Size of a private tmpfs at /tmp, or undefined for none (the image has no writable /tmp). */
  readonly tmpBytes?: number;
  /** The container is killed, with everything it started, after this many milliseconds. */
  readonly wallClockMs: number;
  /** Host directory holding exactly the image's files (e.g. opt/airlock/runner.mjs); mounted read-only as `/`. */
  readonly imageRoot: string;
}

/** The CloudFormation shape of one container definition, as read from the synthesized template. */
export interface CfnContainerDefinition {
  readonly Name: string;
  readonly Command?: readonly string[];
  readonly EntryPoint?: readonly string[];
  readonly Environment?: readonly { readonly Name: string; readonly Value: string }[];
  readonly User?: string;
  readonly ReadonlyRootFilesystem?: boolean;
  readonly MountPoints?: readonly { readonly ContainerPath: string; readonly ReadOnly?: boolean }[];
  readonly WorkingDirectory?: string;
}

/** The parts of the task definition and the image a spec needs beyond the container definition. */
export interface ContainerSpecChoices {
  /** The task's `Memory` and `Cpu` (MiB and CPU units, as strings or numbers in the template). */
  readonly taskMemoryMiB: number | string;
  readonly taskCpuUnits: number | string;
  /** The image's ENTRYPOINT and WORKDIR (the Dockerfile's), used unless the definition overrides them. */
  readonly imageEntryPoint: readonly string[];
  readonly imageWorkingDirectory: string;
  readonly imageRoot: string;
  /** RunTask's container overrides for this container (names and values). */
  readonly overrides?: Readonly<Record<string, string>>;
  readonly wallClockMs: number;
  /** @default 256 - Fargate sets no pids limit; a bound is needed so a fork bomb cannot take the rehearsal's host. */
  readonly maxProcesses?: number;
  /** @default - no /tmp; the task definition mounts none. */
  readonly tmpBytes?: number;
}

/** Builds a spec from a container definition of the synthesized task definition and the rehearsal's choices. */
export function containerSpecFromDefinition(
  definition: CfnContainerDefinition,
  choices: ContainerSpecChoices,
): ConfinedContainerSpec {
  const user = /^(\d+):(\d+)$/.exec(definition.User ?? '');
  if (!user) {
    throw new Error(
      `container ${definition.Name}: User must be numeric "uid:gid" (got ${JSON.stringify(definition.User)}); set it in the task definition`,
    );
  }
  const memoryMiB = Number(choices.taskMemoryMiB);
  const cpuUnits = Number(choices.taskCpuUnits);
  if (!Number.isInteger(memoryMiB) || memoryMiB <= 0 || !Number.isInteger(cpuUnits) || cpuUnits <= 0) {
    throw new Error(
      `container ${definition.Name}: taskMemoryMiB and taskCpuUnits must be positive integers (got ${String(choices.taskMemoryMiB)}, ${String(choices.taskCpuUnits)}); pass the task definition's Memory and Cpu`,
    );
  }
  const environment = Object.fromEntries((definition.Environment ?? []).map((e) => [e.Name, e.Value]));
  return {
    name: definition.Name,
    argv: [...(definition.EntryPoint ?? choices.imageEntryPoint), ...(definition.Command ?? [])],
    environment: { ...environment, ...choices.overrides },
    uid: Number(user[1]),
    gid: Number(user[2]),
    readonlyRootFilesystem: definition.ReadonlyRootFilesystem === true,
    mountPoints: (definition.MountPoints ?? []).map((m) => ({
      containerPath: m.ContainerPath,
      readOnly: m.ReadOnly === true,
    })),
    workingDirectory: definition.WorkingDirectory ?? choices.imageWorkingDirectory,
    memoryBytes: memoryMiB * 1024 * 1024,
    cpuUnits,
    maxProcesses: choices.maxProcesses ?? 256,
    ...(choices.tmpBytes === undefined ? {} : { tmpBytes: choices.tmpBytes }),
    wallClockMs: choices.wallClockMs,
    imageRoot: choices.imageRoot,
  };
}
