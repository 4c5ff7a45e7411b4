/** One container of the synthesized task definition, as ECS would start it. */
export interface ContainerSpec {
  readonly name: string;
  /** The image's arguments: the runner's role (`fetch`, `run`, `deliver`). */
  readonly command: readonly string[];
  /** The environment the task definition fixes; overrides are added per run. */
  readonly environment: Readonly<Record<string, string>>;
  readonly essential: boolean;
  readonly dependsOn: ReadonlyArray<{ readonly containerName: string; readonly condition: DependencyCondition }>;
  readonly mountPoints: ReadonlyArray<{
    readonly sourceVolume: string;
    readonly containerPath: string;
    readonly readOnly: boolean;
  }>;
  /** Seconds between SIGTERM and SIGKILL when the task is stopped (ECS's default is 30). */
  readonly stopTimeoutSeconds: number;
  /** The definition's `User` ("uid:gid"), if any: the confinement refuses to run a container without a numeric one. */
  readonly user?: string;
  readonly readonlyRootFilesystem: boolean;
}

export type DependencyCondition = 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY';

/** The task definition the launch workflow runs: one revision, its containers in template order. */
export interface TaskSpec {
  readonly family: string;
  /** `arn:…:task-definition/<family>:1` (a stack's first revision). */
  readonly arn: string;
  readonly executionRoleArn: string;
  readonly taskRoleArn?: string;
  /** The task's `Memory` (MiB) and `Cpu` (units, 1024 = one vCPU): each confined container's limits. */
  readonly memoryMiB: number;
  readonly cpuUnits: number;
  /** `RuntimePlatform.CpuArchitecture`: what Fargate bills the task at. */
  readonly architecture: 'ARM64' | 'X86_64';
  readonly containers: readonly ContainerSpec[];
}

type CfnContainer = {
  Name?: string;
  Command?: string[];
  Environment?: Array<{ Name: string; Value: string }>;
  Essential?: boolean;
  DependsOn?: Array<{ ContainerName: string; Condition: DependencyCondition }>;
  MountPoints?: Array<{ SourceVolume: string; ContainerPath: string; ReadOnly?: boolean }>;
  StopTimeout?: number;
  User?: string;
  ReadonlyRootFilesystem?: boolean;
};

/** Reads the containers of an `AWS::ECS::TaskDefinition`'s resolved `ContainerDefinitions`. */
export function containerSpecs(definitions: readonly CfnContainer[]): ContainerSpec[] {
  const names = new Set(definitions.map((c) => c.Name));
  return definitions.map((c, i) => {
    if (!c.Name) throw new Error(`container definition ${i} has no Name: the launch result reports containers by name`);
    for (const d of c.DependsOn ?? []) {
      if (!names.has(d.ContainerName))
        throw new Error(`container ${c.Name} depends on ${d.ContainerName}, which is not in the task definition`);
    }
    return {
      name: c.Name,
      command: c.Command ?? [],
      environment: Object.fromEntries((c.Environment ?? []).map((e) => [e.Name, e.Value])),
      // ECS: a container is essential unless it says otherwise.
      essential: c.Essential ?? true,
      dependsOn: (c.DependsOn ?? []).map((d) => ({ containerName: d.ContainerName, condition: d.Condition })),
      mountPoints: (c.MountPoints ?? []).map((m) => ({
        sourceVolume: m.SourceVolume,
        containerPath: m.ContainerPath,
        readOnly: m.ReadOnly ?? false,
      })),
      stopTimeoutSeconds: c.StopTimeout ?? 30,
      ...(c.User === undefined ? {} : { user: c.User }),
      readonlyRootFilesystem: c.ReadonlyRootFilesystem === true,
    };
  });
}
