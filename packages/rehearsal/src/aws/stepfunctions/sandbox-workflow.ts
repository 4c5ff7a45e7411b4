import './polyfill.js';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type StateMachine,
} from 'aws-local-stepfunctions';
import { stateMachineOf } from './state-machine.js';
import { AccessDenied, type Authorizer } from '../../iam/authorizer.js';
import { TaskError } from './task-error.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One execution of a sandbox workflow, as DescribeExecution reports it, plus what the rehearsal counts. */
export interface WorkflowExecution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  /** The input as StartExecution received it (a JSON string). */
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
  /** State transitions (states entered), what a Standard workflow is billed by. */
  readonly transitions: number;
  /** The names of the states entered, in order. */
  readonly states: string[];
  /** Resolves when the execution has ended, however it ended. */
  readonly done: Promise<void>;
  /** StopExecution (or an abort): the execution ends ABORTED and runs no Catch. */
  abort(): void;
}

/** What a service integration's handler gets: the workflow's own role, already trusted by the workflow. */
export interface ServiceCall {
  readonly role: string;
  readonly execution: WorkflowExecution;
  readonly stateName: string;
  /** Authorizes `action` on `resource` as the workflow's role; a denial fails the task as AWS does. */
  act(action: string, resource: string, context?: Record<string, string | string[]>): Promise<void>;
}

export type ServiceHandler = (call: ServiceCall, request: never) => Promise<unknown>;

type TaskState = { Type: string; Resource?: string };
type Definition = {
  States: Record<string, TaskState & { Iterator?: Definition; ItemProcessor?: Definition; Branches?: Definition[] }>;
};

/** Every Task state, those inside Map and Parallel states included (the engine's handlers are keyed by name). */
function taskStatesOf(definition: Definition): Array<[string, TaskState]> {
  return Object.entries(definition.States).flatMap(([name, state]): Array<[string, TaskState]> => [
    ...(state.Type === 'Task' ? [[name, state] as [string, TaskState]] : []),
    ...[state.Iterator, state.ItemProcessor, ...(state.Branches ?? [])].flatMap((d) => (d ? taskStatesOf(d) : [])),
  ]);
}

/**
 * A same-account workflow of the sandbox (the launch workflow, the reaper) or of the data account (the late-object
 * sweeper), run from its synthesized definition:
 * each Task state calls the stand-in for its `Resource`, every action authorized against the workflow's own role.
 * StartExecution is idempotent on the name as AWS's is: the same name and input return the running or finished
 * execution; another input is ExecutionAlreadyExists.
 */
export class SandboxWorkflow {
  private readonly machine: StateMachine;
  private readonly taskStates: ReadonlyArray<[string, TaskState]>;
  private readonly executions = new Map<string, WorkflowExecution>();

  constructor(
    readonly arn: string,
    readonly roleArn: string,
    definition: object,
    private readonly authorizer: Authorizer,
    private readonly services: Readonly<Record<string, ServiceHandler>>,
    private readonly observe: {
      readonly onStart?: (execution: WorkflowExecution) => void;
      readonly onEnd?: (execution: WorkflowExecution) => void;
    } = {},
  ) {
    this.taskStates = taskStatesOf(definition as Definition);
    for (const [name, state] of this.taskStates) {
      if (!services[state.Resource ?? ''])
        throw new Error(`the rehearsal has no handler for ${name}'s resource ${state.Resource ?? ''} (${arn})`);
    }
    this.machine = stateMachineOf(definition);
  }

  start(name: string, input: string): WorkflowExecution {
    const existing = this.executions.get(name);
    if (existing) {
      if (existing.input === input) return existing;
      throw new TaskError(
        'StepFunctions.ExecutionAlreadyExistsException',
        `Execution Already Exists: '${existing.arn}' (same name, different input)`,
      );
    }
    const arn = `${this.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const states: string[] = [];
    let abort = () => undefined as void;
    let finished!: () => void;
    const execution: WorkflowExecution = {
      arn,
      name,
      stateMachineArn: this.arn,
      input,
      startDate: new Date(),
      status: 'RUNNING',
      get transitions() {
        return states.length;
      },
      states,
      done: new Promise<void>((resolve) => (finished = resolve)),
      abort: () => abort(),
    };
    const handlers: Record<string, (request: never) => Promise<unknown>> = {};
    const retryOverrides: Record<string, number> = {};
    for (const [stateName, state] of this.taskStates) {
      const service = this.services[state.Resource ?? ''];
      if (!service) continue;
      // Retry pauses are real in the engine; the rehearsal keeps the retries and drops the waiting.
      retryOverrides[stateName] = 0;
      const call: ServiceCall = {
        role: this.roleArn,
        execution,
        stateName,
        act: (action, resource, context = {}) => this.act(action, resource, context),
      };
      handlers[stateName] = (request) => service(call, request);
    }
    const run = this.machine.run(JSON.parse(input) as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: retryOverrides },
      context: {
        Execution: { Id: arn, Name: name, Input: JSON.parse(input) as never, StartTime: new Date().toISOString() },
        StateMachine: { Id: this.arn },
      },
    });
    abort = run.abort;
    void (async () => {
      for await (const event of run.eventLogs) if (event.type === 'StateEntered') states.push(event.state.name);
    })().catch(() => undefined);
    void run.result
      .then(
        (output) => this.end(execution, 'SUCCEEDED', { output }),
        (error: unknown) => this.end(execution, ...failure(error)),
      )
      .finally(finished);
    this.executions.set(name, execution);
    this.observe.onStart?.(execution);
    return execution;
  }

  /** Every execution started so far. */
  all(): WorkflowExecution[] {
    return [...this.executions.values()];
  }

  private end(
    execution: WorkflowExecution,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    fields: { output?: unknown; error?: string; cause?: string },
  ): void {
    Object.assign(execution, { status, stopDate: new Date(), ...fields });
    this.observe.onEnd?.(execution);
  }

  private async act(action: string, resource: string, context: Record<string, string | string[]>): Promise<void> {
    try {
      await this.authorizer.authorize(this.roleArn, action, resource, context);
    } catch (error) {
      if (error instanceof AccessDenied) throw new TaskError('States.TaskFailed', error.message);
      throw error;
    }
  }
}

function failure(
  error: unknown,
): [Exclude<ExecutionStatus, 'RUNNING' | 'SUCCEEDED'>, { error?: string; cause?: string }] {
  if (error instanceof ExecutionAbortedError) return ['ABORTED', {}];
  if (error instanceof ExecutionTimeoutError) return ['TIMED_OUT', { error: 'States.Timeout' }];
  if (error instanceof ExecutionError) {
    const cause = (error as ExecutionError & { cause?: { name?: string; message?: string } }).cause;
    return ['FAILED', { error: cause?.name ?? 'States.Runtime', cause: cause?.message ?? error.message }];
  }
  throw error;
}
