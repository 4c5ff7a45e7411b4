import './polyfill.js';
import { RUN_GRANT_VARIABLES } from '@airlock/contracts';
import { accountOfArn } from '@airlock/shared/cloud-assembly';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { Artifacts } from './artifacts.js';
import { AccessDenied, type Authorizer } from './authorizer.js';
import type { ExpressEngine } from './express-engine.js';
import { runContainer, type ContainerRun } from './sandbox-launcher.js';

type TaskState = { Type: string; Resource?: string; Credentials?: { RoleArn?: string } };

export interface StateTiming {
  readonly name: string;
  readonly account: string;
  readonly ms: number;
}

export interface StandardRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly states: readonly StateTiming[];
}

/** Ways a rehearsal can misbehave on purpose (see faults.ts). */
export interface EngineHooks {
  /** Called before each RunTask attempt; throwing makes the attempt fail with that error. */
  readonly beforeRunTask?: (attempt: number) => void;
  /** Runs the container instead of the real runner bundle (a compromised runner). */
  readonly container?: (overrides: Readonly<Record<string, string>>) => Promise<ContainerRun>;
}

export class TaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const accountOf = (arn: string) => accountOfArn(arn) ?? '';

/**
 * The orchestrator's Standard workflow, run from its synthesized definition. Each Task state gets a handler built
 * from its own Resource and Credentials: before anything runs, the hop into the target account is authorized
 * (the execution role assumes the named role with ExternalId = this state machine's ARN), then the action itself
 * against that role's policies. A denial fails the task as AWS would.
 */
export class StandardEngine {
  private readonly machine: StateMachine;
  private readonly definition: { States: Record<string, TaskState> };
  private readonly accountNames: Record<string, string>;

  constructor(
    private readonly artifacts: Artifacts,
    private readonly authorizer: Authorizer,
    private readonly express: ExpressEngine,
    private readonly hooks: EngineHooks = {},
  ) {
    this.definition = artifacts.standard.definition as { States: Record<string, TaskState> };
    this.machine = new StateMachine(this.definition as never, { validationOptions: { checkArn: false } });
    const env = artifacts.env;
    this.accountNames = {
      [env.accounts.orchestrator]: 'orchestrator',
      [env.accounts.sandbox]: 'sandbox',
      [env.accounts.data]: 'data',
    };
  }

  async run(runId: string, input: unknown, onState?: (timing: StateTiming) => void): Promise<StandardRunResult> {
    const handlers: Record<string, (input: never) => Promise<unknown>> = {};
    const retryOverrides: Record<string, number> = {};
    let runTaskAttempts = 0;
    for (const [name, state] of Object.entries(this.definition.States)) {
      if (state.Type !== 'Task') continue;
      // Retry pauses are real in the engine; the rehearsal keeps the retries and drops the waiting.
      retryOverrides[name] = 0;
      const role = state.Credentials?.RoleArn;
      if (!role) throw new Error(`${name} has no Credentials.RoleArn: every cross-account task must name its role`);
      const resource = state.Resource ?? '';
      const assume = () => this.assume(role);
      if (resource === 'arn:aws:states:::aws-sdk:sfn:startSyncExecution') {
        handlers[name] = async (req: { StateMachineArn: string; Input: string }) => {
          await assume();
          await this.act(role, 'states:StartSyncExecution', req.StateMachineArn);
          if (req.StateMachineArn !== this.artifacts.express.arn)
            throw new TaskError(
              'Sfn.StateMachineDoesNotExistException',
              `State Machine Does Not Exist: '${req.StateMachineArn}'`,
            );
          return this.express.startSync(JSON.parse(req.Input), `${runId}-${name}`.slice(0, 80), req.StateMachineArn);
        };
      } else if (resource === 'arn:aws:states:::aws-sdk:ssm:getParameter') {
        handlers[name] = async (req: { Name: string }) => {
          await assume();
          await this.act(
            role,
            'ssm:GetParameter',
            `arn:${this.artifacts.env.partition}:ssm:${this.artifacts.env.region}:${accountOf(role)}:parameter${req.Name}`,
          );
          if (req.Name !== this.artifacts.launchConfig.name)
            throw new TaskError('Ssm.ParameterNotFoundException', `parameter ${req.Name} does not exist`);
          return { Parameter: { Name: req.Name, Type: 'String', Value: this.artifacts.launchConfig.value } };
        };
      } else if (resource === 'arn:aws:states:::ecs:runTask.sync') {
        handlers[name] = async (req: RunTaskRequest) => {
          await assume();
          this.hooks.beforeRunTask?.(++runTaskAttempts);
          return this.runTask(role, runId, req);
        };
      } else {
        throw new Error(`the rehearsal has no handler for ${name}'s resource ${resource}`);
      }
    }

    const env = this.artifacts.env;
    const execution = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: retryOverrides },
      context: {
        Execution: {
          Id: `arn:${env.partition}:states:${env.region}:${env.accounts.orchestrator}:execution:${this.artifacts.standard.arn.split(':').at(-1)}:${runId}`,
          Name: runId,
          Input: input as never,
          StartTime: new Date().toISOString(),
        },
        StateMachine: { Id: this.artifacts.standard.arn },
      },
    });
    const states: StateTiming[] = [];
    const watching = (async () => {
      const entered = new Map<string, number>();
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') entered.set(event.state.name, event.timestamp);
        if (
          event.type === 'StateExited' ||
          (event.type === 'StateFailed' && this.definition.States[event.state.name]?.Type === 'Fail')
        ) {
          const state = this.definition.States[event.state.name];
          const account = this.accountNames[accountOf(state?.Credentials?.RoleArn ?? '')] ?? 'orchestrator';
          const timing = {
            name: event.state.name,
            account,
            ms: event.timestamp - (entered.get(event.state.name) ?? event.timestamp),
          };
          states.push(timing);
          onState?.(timing);
        }
      }
    })();
    try {
      const output = await execution.result;
      await watching;
      return { status: 'SUCCEEDED', output, states };
    } catch (error) {
      await watching.catch(() => undefined);
      if (!(error instanceof ExecutionError)) throw error;
      const cause = (error as ExecutionError & { cause?: { name?: string; message?: string } }).cause;
      return {
        status: 'FAILED',
        error: cause?.name ?? 'States.Runtime',
        cause: cause?.message ?? error.message,
        states,
      };
    }
  }

  /** The orchestrator execution role assumes `role`, passing this state machine's ARN as ExternalId. */
  private async assume(role: string): Promise<void> {
    try {
      await this.authorizer.assumeRole(this.artifacts.standard.roleArn, role, this.artifacts.standard.arn);
    } catch (error) {
      if (error instanceof AccessDenied)
        throw new TaskError('States.TaskFailed', `Unable to assume role ${role}: ${error.message}`);
      throw error;
    }
  }

  private async act(
    role: string,
    action: string,
    resource: string,
    context: Record<string, string> = {},
  ): Promise<void> {
    try {
      await this.authorizer.authorize(role, action, resource, context);
    } catch (error) {
      if (error instanceof AccessDenied) throw new TaskError('States.TaskFailed', error.message);
      throw error;
    }
  }

  private async runTask(role: string, runId: string, req: RunTaskRequest): Promise<unknown> {
    const { task, env } = this.artifacts;
    const account = accountOf(role);
    const cluster = req.Cluster;
    await this.act(
      role,
      'ecs:RunTask',
      `arn:${env.partition}:ecs:${env.region}:${account}:task-definition/${req.TaskDefinition}:1`,
      { 'ecs:cluster': cluster },
    );
    await this.act(role, 'iam:PassRole', task.executionRoleArn, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' });
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
    const taskArn = `arn:${env.partition}:ecs:${env.region}:${account}:task/${cluster.split('/').at(-1)}/${runId}`;
    const run = await (this.hooks.container ?? ((o) => runContainer(task.runner, o)))(variables);
    // `.sync` across accounts is polled: Step Functions describes the task with the same role until it stops.
    await this.act(role, 'ecs:DescribeTasks', taskArn, { 'ecs:cluster': cluster });
    // Whether a non-zero exit fails a runTask.sync state is unverified; the rehearsal returns it as a stopped task
    // with that exit code, and Finalize judges it (the workflow handles both shapes).
    return {
      TaskArn: taskArn,
      LastStatus: 'STOPPED',
      StopCode: 'EssentialContainerExited',
      StoppedReason: 'Essential container in task exited',
      Containers: [{ Name: task.containerName, ExitCode: run.exitCode ?? 137, LastStatus: 'STOPPED' }],
    };
  }
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
