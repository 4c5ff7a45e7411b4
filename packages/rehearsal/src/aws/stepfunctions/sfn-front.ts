import type { Authorizer } from '../../iam/authorizer.js';
import { accessKeyOf, type CredentialRegistry } from '../../iam/credentials.js';
import { listen, readBody } from '../http-server.js';
import type { StandardRunResult, StateTiming } from './standard-engine.js';

/** Starts one analysis execution by name; reports each state as it exits. */
export type StartAnalysis = (
  name: string,
  input: unknown,
  onState: (timing: StateTiming) => void,
) => Promise<StandardRunResult>;

interface Execution {
  readonly executionArn: string;
  readonly name: string;
  readonly input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  readonly startDate: number;
  stopDate?: number;
  readonly events: Array<Record<string, unknown>>;
}

/**
 * Step Functions' JSON protocol for the canary (StartExecution, DescribeExecution, GetExecutionHistory) in front
 * of the rehearsal's analysis engine. Each call is authorized as the caller's role (known by its access key) against
 * the synthesized policies, on the state machine or the execution's ARN, as AWS would. Only the analysis workflow
 * can be started; histories carry no execution data, as the canary asks for none.
 */
export async function startSfnFront(
  stateMachineArn: string,
  registry: CredentialRegistry,
  authorizer: Authorizer,
  startAnalysis: StartAnalysis,
) {
  const executions = new Map<string, Execution>();
  const executionArnOf = (name: string) => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const seconds = (ms: number) => ms / 1000;
  return listen(async (req, res) => {
    const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, string>;
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const identity = registry.get(accessKeyOf(String(req.headers.authorization ?? '')) ?? '');
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(payload));
    };
    const error = (type: string, message: string) => reply(400, { __type: type, message });
    if (!identity) return error('UnrecognizedClientException', 'unknown access key');
    const authorized = async (action: string, resource: string) => {
      try {
        await authorizer.authorize(identity.roleArn, action, resource);
        return true;
      } catch (denied) {
        error('AccessDeniedException', (denied as Error).message);
        return false;
      }
    };
    switch (operation) {
      case 'StartExecution': {
        if (!(await authorized('states:StartExecution', body.stateMachineArn ?? ''))) return;
        if (body.stateMachineArn !== stateMachineArn)
          return error('StateMachineDoesNotExist', `State Machine Does Not Exist: '${body.stateMachineArn}'`);
        const name = body.name ?? crypto.randomUUID();
        if (executions.has(name)) return error('ExecutionAlreadyExists', `Execution Already Exists: '${name}'`);
        const started = Date.now();
        const execution: Execution = {
          executionArn: executionArnOf(name),
          name,
          input: body.input ?? '{}',
          status: 'RUNNING',
          startDate: started,
          events: [{ id: 1, type: 'ExecutionStarted', timestamp: seconds(started) }],
        };
        executions.set(name, execution);
        const event = (fields: Record<string, unknown>) =>
          execution.events.push({ id: execution.events.length + 1, timestamp: seconds(Date.now()), ...fields });
        void startAnalysis(name, JSON.parse(execution.input), (t) =>
          event({ type: 'TaskStateExited', stateExitedEventDetails: { name: t.name } }),
        ).then(
          (result) => {
            execution.status = result.status;
            execution.stopDate = Date.now();
            event({ type: result.status === 'SUCCEEDED' ? 'ExecutionSucceeded' : 'ExecutionFailed' });
          },
          () => {
            execution.status = 'FAILED';
            execution.stopDate = Date.now();
            event({ type: 'ExecutionFailed' });
          },
        );
        return reply(200, { executionArn: execution.executionArn, startDate: seconds(started) });
      }
      case 'DescribeExecution':
      case 'GetExecutionHistory': {
        if (!(await authorized(`states:${operation}`, body.executionArn ?? ''))) return;
        const execution = [...executions.values()].find((e) => e.executionArn === body.executionArn);
        if (!execution) return error('ExecutionDoesNotExist', `Execution Does Not Exist: '${body.executionArn}'`);
        if (operation === 'GetExecutionHistory') return reply(200, { events: execution.events });
        return reply(200, {
          executionArn: execution.executionArn,
          stateMachineArn,
          name: execution.name,
          status: execution.status,
          startDate: seconds(execution.startDate),
          ...(execution.stopDate ? { stopDate: seconds(execution.stopDate) } : {}),
        });
      }
      default:
        return error('UnknownOperationException', `the rehearsal's Step Functions front serves no ${operation}`);
    }
  });
}
