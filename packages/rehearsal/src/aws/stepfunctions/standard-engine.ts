import './polyfill.js';
import { accountOfArn } from '@airlock/cloud-assembly';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { Artifacts } from '../../run/artifacts.js';
import { AccessDenied, type Authorizer } from '../../iam/authorizer.js';
import type { ExpressEngine } from './express-engine.js';
import type { SandboxWorkflow } from './sandbox-workflow.js';
import { startExecutionSync } from './start-execution-sync.js';
import { startSyncExecution } from './start-sync-execution.js';
import { TaskError } from './task-error.js';
import type { TaskContext, TaskHandler } from './task-handler.js';

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
  /** State transitions (states entered), what a Standard workflow is billed by. */
  readonly transitions: number;
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
  private readonly services: Readonly<Record<string, TaskHandler>>;

  constructor(
    private readonly artifacts: Artifacts,
    private readonly authorizer: Authorizer,
    express: ExpressEngine,
    launch: SandboxWorkflow,
  ) {
    this.services = {
      'arn:aws:states:::aws-sdk:sfn:startSyncExecution': startSyncExecution(express),
      'arn:aws:states:::states:startExecution.sync:2': startExecutionSync(launch),
    };
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
    for (const [name, state] of Object.entries(this.definition.States)) {
      if (state.Type !== 'Task') continue;
      // Retry pauses are real in the engine; the rehearsal keeps the retries and drops the waiting.
      retryOverrides[name] = 0;
      const role = state.Credentials?.RoleArn;
      if (!role) throw new Error(`${name} has no Credentials.RoleArn: every cross-account task must name its role`);
      const service = this.services[state.Resource ?? ''];
      if (!service) throw new Error(`the rehearsal has no handler for ${name}'s resource ${state.Resource ?? ''}`);
      const task: TaskContext = {
        artifacts: this.artifacts,
        role,
        runId,
        stateName: name,
        act: (action, resource, context) => this.act(role, action, resource, context),
      };
      handlers[name] = async (request: never) => {
        await this.assume(role);
        return service(task, request);
      };
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
    let transitions = 0;
    const watching = (async () => {
      const entered = new Map<string, number>();
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') {
          transitions += 1;
          entered.set(event.state.name, event.timestamp);
        }
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
      return { status: 'SUCCEEDED', output, states, transitions };
    } catch (error) {
      await watching.catch(() => undefined);
      if (!(error instanceof ExecutionError)) throw error;
      const cause = (error as ExecutionError & { cause?: { name?: string; message?: string } }).cause;
      return {
        status: 'FAILED',
        error: cause?.name ?? 'States.Runtime',
        cause: cause?.message ?? error.message,
        states,
        transitions,
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
}
