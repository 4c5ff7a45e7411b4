/**
 * The launch request and result between the orchestrator and the sandbox account. The sandbox publishes its launch
 * config (the IDs that are not deterministic) in SSM; the orchestrator reads it with the launcher role, starts the
 * task with the run's grant, and keeps only the launch result for finalize.
 */
export interface LaunchConfig {
  readonly clusterArn: string;
  readonly taskDefinitionFamily: string;
  readonly containerName: string;
  readonly subnets: string[];
  readonly securityGroups: string[];
}

/** Every field of {@link LaunchConfig}: a deployed parameter that lacks one is broken. */
export const LAUNCH_CONFIG_FIELDS = [
  'clusterArn',
  'taskDefinitionFamily',
  'containerName',
  'subnets',
  'securityGroups',
] as const satisfies readonly (keyof LaunchConfig)[];

/** One stopped container, as ECS reports it. */
export interface LaunchedContainer {
  readonly Name?: string;
  readonly ExitCode?: number;
  readonly LastStatus?: string;
  readonly Reason?: string;
}

/**
 * What the orchestrator keeps of the stopped task and passes to finalize: the containers' exit codes and the stopped
 * reason, never anything the submission wrote. A caught failure arrives instead as `{ Error, Cause }`.
 */
export interface LaunchResult {
  readonly containers: readonly LaunchedContainer[];
  readonly stoppedReason?: string;
}

/** Time Fargate may take to place, pull and start the task before the run's own deadline starts to matter. */
export const TASK_START_MARGIN_SECONDS = 180;
