import { accountOfArn } from '@airlock/cloud-assembly';
import { RUN_GRANT_VARIABLES } from '@airlock/contracts';
import { TaskError } from '../stepfunctions/task-error.js';
import type { TaskContext } from '../stepfunctions/task-handler.js';
import { runContainer, type ContainerRun } from './sandbox-launcher.js';

/** Ways a rehearsal's ECS can misbehave on purpose (see run/faults.ts). */
export interface RunTaskHooks {
  /** Called before each RunTask attempt; throwing makes the attempt fail with that error. */
  readonly beforeRunTask?: (attempt: number) => void;
  /** Runs the container instead of the real runner bundle (a compromised runner). */
  readonly container?: (overrides: Readonly<Record<string, string>>) => Promise<ContainerRun>;
}

interface RunTaskRequest {
  readonly Cluster: string;
  readonly TaskDefinition: string;
  readonly LaunchType?: string;
  readonly NetworkConfiguration?: { AwsvpcConfiguration?: { AssignPublicIp?: string } };
  readonly Overrides?: {
    ContainerOverrides?: Array<{ Name: string; Environment?: Array<{ Name: string; Value: string }> }>;
  };
}

/**
 * `ecs:runTask.sync` for one run: checks the request against the synthesized task definition (family, no task
 * role, Fargate, no public IP, exactly the three variables), runs the runner bundle as the container, and returns
 * the stopped task. Attempts are counted per run, for the throttling fault.
 */
export function runTask(hooks: RunTaskHooks = {}) {
  let attempts = 0;
  return async (ecs: TaskContext, req: RunTaskRequest): Promise<unknown> => {
    hooks.beforeRunTask?.(++attempts);
    const { task, env } = ecs.artifacts;
    const account = accountOfArn(ecs.role) ?? '';
    const cluster = req.Cluster;
    await ecs.act(
      'ecs:RunTask',
      `arn:${env.partition}:ecs:${env.region}:${account}:task-definition/${req.TaskDefinition}:1`,
      { 'ecs:cluster': cluster },
    );
    await ecs.act('iam:PassRole', task.executionRoleArn, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' });
    const problems = [
      req.TaskDefinition !== task.family &&
        `task definition ${req.TaskDefinition} is not the runner family ${task.family}`,
      task.taskRoleArn && `the task definition has a task role (${task.taskRoleArn})`,
      req.LaunchType !== 'FARGATE' && 'launch type is not FARGATE',
      req.NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp !== 'DISABLED' && 'a public IP is not disabled',
    ].filter(Boolean);
    if (problems.length > 0) throw new TaskError('ECS.InvalidParameterException', problems.join('; '));
    const overrides = req.Overrides?.ContainerOverrides ?? [];
    const container = overrides.find((o) => o.Name === task.containerName);
    const variables = Object.fromEntries((container?.Environment ?? []).map((e) => [e.Name, e.Value]));
    const names = Object.keys(variables).sort();
    const expected = Object.values(RUN_GRANT_VARIABLES).sort();
    if (overrides.length !== 1 || names.join() !== expected.join()) {
      throw new TaskError(
        'ECS.InvalidParameterException',
        `container overrides must carry exactly ${expected.join(', ')}; got ${names.join(', ')}`,
      );
    }
    const taskArn = `arn:${env.partition}:ecs:${env.region}:${account}:task/${cluster.split('/').at(-1)}/${ecs.runId}`;
    const run = await (hooks.container ?? ((o) => runContainer(task.runner, o)))(variables);
    // `.sync` across accounts is polled: Step Functions describes the task with the same role until it stops.
    await ecs.act('ecs:DescribeTasks', taskArn, { 'ecs:cluster': cluster });
    // Whether a non-zero exit fails a runTask.sync state is unverified; the rehearsal returns it as a stopped task
    // with that exit code, and Finalize judges it (the workflow handles both shapes).
    return {
      TaskArn: taskArn,
      LastStatus: 'STOPPED',
      StopCode: 'EssentialContainerExited',
      StoppedReason: 'Essential container in task exited',
      Containers: [{ Name: task.containerName, ExitCode: run.exitCode ?? 137, LastStatus: 'STOPPED' }],
    };
  };
}
