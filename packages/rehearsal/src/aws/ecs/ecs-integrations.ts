import { accountOfArn } from '@airlock/cloud-assembly';
import { CONTAINER_VARIABLES, type ContainerName } from '@airlock/contracts';
import { TaskError } from '../stepfunctions/task-error.js';
import type { ServiceCall, ServiceHandler } from '../stepfunctions/sandbox-workflow.js';
import type { ContainerOverride, LocalEcs } from './local-ecs.js';

/** RunTask's cap on `overrides`, JSON formatting included. */
export const MAX_OVERRIDES_LENGTH = 8192;
/** RunTask's measure of its `overrides`: the characters of their JSON. */
export const overridesLength = (overrides: object): number => JSON.stringify(overrides).length;

interface RunTaskRequest {
  readonly Cluster: string;
  readonly TaskDefinition: string;
  readonly LaunchType?: string;
  readonly Count?: number;
  readonly StartedBy?: string;
  readonly NetworkConfiguration?: { AwsvpcConfiguration?: { AssignPublicIp?: string } };
  readonly Overrides?: Record<string, unknown> & { ContainerOverrides?: ReadonlyArray<ContainerOverride> };
}

export interface EcsIntegrationOptions {
  /** Called before each RunTask attempt of an execution; throwing fails the attempt with that error (throttling). */
  readonly beforeRunTask?: (attempt: number) => void;
}

/**
 * The sandbox workflows' ECS integrations, each authorized as the calling workflow's own role against its
 * synthesized policy: `ecs:runTask.sync` (same account, so Step Functions waits through EventBridge: the role needs
 * the managed rule's events permissions), and the SDK integrations `listTasks`, `stopTask`, `describeTasks`.
 */
export function ecsIntegrations(ecs: LocalEcs, options: EcsIntegrationOptions = {}): Record<string, ServiceHandler> {
  const attempts = new Map<string, number>();
  const runTaskSync = async (call: ServiceCall, req: RunTaskRequest): Promise<unknown> => {
    const attempt = (attempts.get(call.execution.arn) ?? 0) + 1;
    attempts.set(call.execution.arn, attempt);
    options.beforeRunTask?.(attempt);
    const { partition, region, account } = arnParts(call.execution.stateMachineArn);
    await call.act('ecs:RunTask', req.TaskDefinition, { 'ecs:cluster': req.Cluster });
    await call.act('iam:PassRole', ecs.spec.executionRoleArn, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' });
    const managedRule = `arn:${partition}:events:${region}:${account}:rule/StepFunctionsGetEventsForECSTaskRule`;
    for (const action of ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'])
      await call.act(action, managedRule);
    const problems = runTaskProblems(ecs, call, req);
    if (problems.length > 0) {
      ecs.refusals.push(`RunTask of ${call.execution.name}: ${problems.join('; ')}`);
      throw new TaskError('ECS.InvalidParameterException', problems.join('; '));
    }
    const task = await ecs.runTask(req.Cluster, req.StartedBy ?? '', req.Overrides?.ContainerOverrides ?? []);
    await task.stopped;
    // Whether a non-zero exit fails a runTask.sync state is unverified: the rehearsal returns the stopped task
    // with its exit codes, and the launch workflow handles both shapes.
    return task.describe();
  };

  const listTasks = async (call: ServiceCall, req: { Cluster: string; StartedBy: string; DesiredStatus?: string }) => {
    const { partition, region, account } = arnParts(call.execution.stateMachineArn);
    const clusterName = req.Cluster.split('/').at(-1) ?? '';
    // ListTasks' resource type is the container instance; the cluster is its condition key.
    await call.act('ecs:ListTasks', `arn:${partition}:ecs:${region}:${account}:container-instance/${clusterName}/*`, {
      'ecs:cluster': req.Cluster,
    });
    const status = req.DesiredStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING';
    return { TaskArns: ecs.listTasks(req.Cluster, req.StartedBy, status) };
  };

  const stopTask = async (call: ServiceCall, req: { Cluster: string; Task: string; Reason?: string }) => {
    await call.act('ecs:StopTask', req.Task, { 'ecs:cluster': req.Cluster });
    const task = ecs.task(req.Cluster, req.Task);
    if (!task) throw new TaskError('Ecs.InvalidParameterException', `The referenced task was not found: ${req.Task}`);
    task.stop(req.Reason ?? 'Task stopped by user');
    return { Task: task.describe() };
  };

  const describeTasks = async (call: ServiceCall, req: { Cluster: string; Tasks: readonly string[] }) => {
    for (const arn of req.Tasks) await call.act('ecs:DescribeTasks', arn, { 'ecs:cluster': req.Cluster });
    const found = req.Tasks.map((arn) => ({ arn, task: ecs.task(req.Cluster, arn) }));
    return {
      Tasks: found.flatMap((f) => (f.task ? [f.task.describe()] : [])),
      Failures: found.filter((f) => !f.task).map((f) => ({ Arn: f.arn, Reason: 'MISSING' })),
    };
  };

  return {
    'arn:aws:states:::ecs:runTask.sync': runTaskSync as ServiceHandler,
    'arn:aws:states:::aws-sdk:ecs:listTasks': listTasks as ServiceHandler,
    'arn:aws:states:::aws-sdk:ecs:stopTask': stopTask as ServiceHandler,
    'arn:aws:states:::aws-sdk:ecs:describeTasks': describeTasks as ServiceHandler,
  };
}

/**
 * What the design forbids in a launch's RunTask, checked as the rehearsal's ECS: the one task-definition revision,
 * no task role or size or count chosen per run, Fargate without a public IP, `StartedBy` = the execution's name,
 * each container overridden only with its own per-run variables, and overrides that fit RunTask's cap.
 */
function runTaskProblems(ecs: LocalEcs, call: ServiceCall, req: RunTaskRequest): string[] {
  const overrides = req.Overrides ?? {};
  const containerOverrides = overrides.ContainerOverrides ?? [];
  const length = overridesLength(overrides);
  return [
    req.TaskDefinition !== ecs.spec.arn &&
      `task definition ${req.TaskDefinition} is not the one revision ${ecs.spec.arn}`,
    ecs.spec.taskRoleArn && `the task definition has a task role (${ecs.spec.taskRoleArn})`,
    req.LaunchType !== 'FARGATE' && 'launch type is not FARGATE',
    (req.Count ?? 1) !== 1 && `count is ${req.Count}, not 1`,
    req.NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp !== 'DISABLED' && 'a public IP is not disabled',
    req.StartedBy !== call.execution.name &&
      `StartedBy is ${JSON.stringify(req.StartedBy)}, not the execution's name ${call.execution.name}`,
    Object.keys(overrides).some((k) => k !== 'ContainerOverrides') &&
      `overrides set ${Object.keys(overrides).join(', ')}: only ContainerOverrides are allowed`,
    ...containerOverrides.map((o) => containerOverrideProblem(o)),
    length > MAX_OVERRIDES_LENGTH &&
      `Container Overrides length must be at most ${MAX_OVERRIDES_LENGTH} (the overrides are ${length} characters)`,
  ].filter((p): p is string => typeof p === 'string');
}

function containerOverrideProblem(o: ContainerOverride): string | false {
  const allowed = CONTAINER_VARIABLES[o.Name as ContainerName] as { perRun: readonly string[] } | undefined;
  if (!allowed) return `container override for unknown container ${o.Name}`;
  const extra = Object.keys(o).filter((k) => k !== 'Name' && k !== 'Environment');
  if (extra.length > 0) return `container ${o.Name} overrides ${extra.join(', ')}: only Environment is allowed`;
  const names = (o.Environment ?? []).map((e) => e.Name).sort();
  const expected = [...allowed.perRun].sort();
  return (
    names.join() !== expected.join() &&
    `container ${o.Name} must receive exactly ${expected.join(', ')}; got ${names.join(', ')}`
  );
}

function arnParts(arn: string): { partition: string; region: string; account: string } {
  const [, partition = 'aws', , region = ''] = arn.split(':');
  return { partition, region, account: accountOfArn(arn) ?? '' };
}
