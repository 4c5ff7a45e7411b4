import './polyfill.js';
import { ExecutionError, type StateMachine } from 'aws-local-stepfunctions';
import { stateMachineOf } from './state-machine.js';
import type { Authorizer } from '../../iam/authorizer.js';
import type { LambdaHost } from '../lambda/lambda-host.js';
import type { Artifacts, LambdaArtifact } from '../../run/artifacts.js';

/** StartSyncExecution's answer: FAILED is returned, never thrown, as the API does. */
export interface SyncExecutionResult {
  readonly Status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  readonly Output?: string;
  readonly Error?: string;
  readonly Cause?: string;
  readonly ExecutionArn: string;
}

type TaskState = { Type: string; Resource?: string };

/** One Express execution as it would be billed: its duration and each Lambda invocation in it. */
export interface ExpressUsage {
  readonly name: string;
  readonly ms: number;
  readonly invocations: readonly {
    readonly ms: number;
    readonly memoryMb: number;
    readonly architecture: 'arm64' | 'x86_64';
  }[];
}

/** The data plane's Express workflow, run from its synthesized definition; its Lambda tasks run the bundled code. */
export class ExpressEngine {
  private readonly machine: StateMachine;
  private readonly tasks: Array<{ state: string; resource: string; host: LambdaHost; fn: LambdaArtifact }> = [];
  /** Every execution so far, for pricing runs. */
  readonly usage: ExpressUsage[] = [];

  constructor(
    private readonly artifacts: Artifacts,
    private readonly authorizer: Authorizer,
    hosts: ReadonlyMap<string, LambdaHost>,
  ) {
    const definition = artifacts.express.definition as { States: Record<string, TaskState> };
    this.machine = stateMachineOf(definition);
    for (const [state, { Type, Resource }] of Object.entries(definition.States)) {
      if (Type !== 'Task') continue;
      const resource = Resource ?? '';
      const host = hosts.get(resource);
      const fn = artifacts.functions.get(resource);
      if (!host || !fn)
        throw new Error(`Express state ${state} invokes ${resource}, which is not a function of the data template`);
      this.tasks.push({ state, resource, host, fn });
    }
  }

  async startSync(input: unknown, name: string, arn: string): Promise<SyncExecutionResult> {
    const executionArn = `${arn.replace(':stateMachine:', ':express:')}:${name}`;
    const started = performance.now();
    const invocations: Array<ExpressUsage['invocations'][number]> = [];
    const handlers = Object.fromEntries(
      this.tasks.map(({ state, resource, host, fn }) => [
        state,
        async (event: unknown) => {
          await this.authorizer.authorize(this.artifacts.express.roleArn, 'lambda:InvokeFunction', resource);
          const invoked = performance.now();
          try {
            return await host.invoke(event);
          } finally {
            invocations.push({ ms: performance.now() - invoked, memoryMb: fn.memoryMb, architecture: fn.architecture });
          }
        },
      ]),
    );
    const counted = () => this.usage.push({ name, ms: performance.now() - started, invocations });
    const execution = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: {
        Execution: { Id: executionArn, Name: name, Input: input as never, StartTime: new Date().toISOString() },
      },
    });
    try {
      const output = JSON.stringify(await execution.result);
      counted();
      return { Status: 'SUCCEEDED', Output: output, ExecutionArn: executionArn };
    } catch (error) {
      counted();
      if (!(error instanceof ExecutionError)) throw error;
      const cause = (error as ExecutionError & { cause?: { name?: string; message?: string } }).cause;
      return {
        Status: 'FAILED',
        Error: cause?.name ?? 'States.Runtime',
        Cause: cause?.message ?? error.message,
        ExecutionArn: executionArn,
      };
    }
  }
}
