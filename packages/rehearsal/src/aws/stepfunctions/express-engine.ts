import './polyfill.js';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { Artifacts } from '../../run/artifacts.js';
import type { Authorizer } from '../../iam/authorizer.js';
import type { LambdaHost } from '../lambda/lambda-host.js';

/** StartSyncExecution's answer: FAILED is returned, never thrown, as the API does. */
export interface SyncExecutionResult {
  readonly Status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  readonly Output?: string;
  readonly Error?: string;
  readonly Cause?: string;
  readonly ExecutionArn: string;
}

type TaskState = { Type: string; Resource?: string };

/** The data plane's Express workflow, run from its synthesized definition; its Lambda tasks run the bundled code. */
export class ExpressEngine {
  private readonly machine: StateMachine;
  private readonly handlers: Record<string, (input: unknown) => Promise<unknown>> = {};

  constructor(artifacts: Artifacts, authorizer: Authorizer, hosts: ReadonlyMap<string, LambdaHost>) {
    const definition = artifacts.express.definition as { States: Record<string, TaskState> };
    this.machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    for (const [name, state] of Object.entries(definition.States)) {
      if (state.Type !== 'Task') continue;
      const resource = state.Resource ?? '';
      const host = hosts.get(resource);
      if (!host)
        throw new Error(`Express state ${name} invokes ${resource}, which is not a function of the data template`);
      this.handlers[name] = async (input) => {
        await authorizer.authorize(artifacts.express.roleArn, 'lambda:InvokeFunction', resource);
        return host.invoke(input);
      };
    }
  }

  async startSync(input: unknown, name: string, arn: string): Promise<SyncExecutionResult> {
    const executionArn = `${arn.replace(':stateMachine:', ':express:')}:${name}`;
    const execution = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: this.handlers as never },
      context: {
        Execution: { Id: executionArn, Name: name, Input: input as never, StartTime: new Date().toISOString() },
      },
    });
    try {
      return { Status: 'SUCCEEDED', Output: JSON.stringify(await execution.result), ExecutionArn: executionArn };
    } catch (error) {
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
