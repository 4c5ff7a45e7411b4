import './polyfill.js';
import { accountOfArn } from '@airlock/cloud-assembly';
import { ExecutionError, type StateMachine } from 'aws-local-stepfunctions';
import { stateMachineOf } from './state-machine.js';
import type { Artifacts } from '../../run/artifacts.js';
import { AccessDenied, type Authorizer } from '../../iam/authorizer.js';
import { hopDenial } from '../../iam/external-id.js';
import type { ExpressEngine } from './express-engine.js';
import type { SandboxWorkflow } from './sandbox-workflow.js';
import { startExecutionSync } from './start-execution-sync.js';
import { startSyncExecution } from './start-sync-execution.js';
import { TaskError } from './task-error.js';
import type { TaskContext, TaskHandler } from './task-handler.js';

type TaskState = { Type: string; Resource?: string; Credentials?: { RoleArn?: string } };

/**
 * How a state ended: `succeeded`; `failed` (a Fail state, an uncaught error, or a data-plane call whose Express
 * execution did not succeed, which StartSyncExecution still answers with 200); `caught` (it failed and a Catch took
 * over); `handling` (entered from a Catch, to deal with another state's failure).
 */
export type StateOutcome = 'succeeded' | 'failed' | 'caught' | 'handling';

export interface StateTiming {
  readonly name: string;
  readonly account: string;
  readonly ms: number;
  readonly outcome: StateOutcome;
  /** For a failed or caught state: the error's name and cause, as the execution history would hold them. */
  readonly error?: string;
  readonly cause?: string;
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
const causeText = (cause: unknown) =>
  typeof cause === 'string' ? cause : cause instanceof Error ? cause.message : JSON.stringify(cause ?? '');

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
    this.machine = stateMachineOf(this.definition);
    const env = artifacts.env;
    this.accountNames = {
      [env.accounts.orchestrator]: 'orchestrator',
      [env.accounts.sandbox]: 'sandbox',
      [env.accounts.data]: 'data',
    };
  }

  async run(runId: string, input: unknown, onState?: (timing: StateTiming) => void): Promise<StandardRunResult> {
    const handlers: Record<string, (input: never) => Promise<unknown>> = {};
    // Data-plane calls whose Express execution failed although the call itself succeeded, by state name.
    const childFailures = new Map<string, { error: string; cause: string }>();
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
        const result = await service(task, request);
        const child = result as { Status?: unknown; Error?: unknown; Cause?: unknown } | null;
        if (typeof child?.Status === 'string' && child.Status !== 'SUCCEEDED')
          childFailures.set(name, { error: String(child.Error ?? child.Status), cause: String(child.Cause ?? '') });
        return result;
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
      // A state's last failure (a retried one may still succeed), and whether a Catch took it.
      const failures = new Map<string, { error: string; cause: string }>();
      const caught = new Set<string>();
      let enteredFromCatch = false;
      const handlingStates = new Set<string>();
      const report = (name: string, timestamp: number, outcome: StateOutcome) => {
        const state = this.definition.States[name];
        const account = this.accountNames[accountOf(state?.Credentials?.RoleArn ?? '')] ?? 'orchestrator';
        const failure = outcome === 'failed' || outcome === 'caught' ? failures.get(name) : undefined;
        const timing: StateTiming = {
          name,
          account,
          ms: timestamp - (entered.get(name) ?? timestamp),
          outcome,
          ...(failure ? { error: failure.error, cause: failure.cause } : {}),
        };
        states.push(timing);
        onState?.(timing);
      };
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') {
          transitions += 1;
          entered.set(event.state.name, event.timestamp);
          if (enteredFromCatch) handlingStates.add(event.state.name);
          enteredFromCatch = false;
        }
        if (event.type === 'StateFailed')
          failures.set(event.state.name, { error: event.Error, cause: causeText(event.Cause) });
        if (event.type === 'StateRetried') failures.delete(event.state.name);
        if (event.type === 'StateCaught') {
          caught.add(event.state.name);
          enteredFromCatch = true;
        }
        const name = 'state' in event ? event.state.name : '';
        if (event.type === 'StateExited') {
          const child = childFailures.get(name);
          if (child) failures.set(name, child);
          report(
            name,
            event.timestamp,
            caught.has(name) ? 'caught' : child ? 'failed' : handlingStates.has(name) ? 'handling' : 'succeeded',
          );
          caught.delete(name);
          childFailures.delete(name);
        }
        if (event.type === 'StateFailed' && this.definition.States[name]?.Type === 'Fail')
          report(name, event.timestamp, 'failed');
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
      if (error instanceof AccessDenied) throw new TaskError('States.TaskFailed', this.denial(role, error));
      throw error;
    }
  }

  /** A refused hop's cause: why the target's trust refused it when the rehearsal can tell, else IAM's message. */
  private denial(role: string, error: AccessDenied): string {
    return (
      hopDenial(this.artifacts.standard, role, this.authorizer.role(role).trust) ??
      `Unable to assume role ${role}: ${error.message}`
    );
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
