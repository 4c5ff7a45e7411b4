import { TaskError } from './task-error.js';
import type { SandboxWorkflow } from './sandbox-workflow.js';
import type { TaskContext } from './task-handler.js';

/**
 * `states:startExecution.sync:2` across accounts, with the launcher role's credentials (the hop itself was
 * authorized before the handler runs): StartExecution on the launch workflow with the given Name, then the polling
 * Step Functions does with the same role (DescribeExecution), and the `.sync:2` result: Output and Input as JSON.
 * The Input holds the URLs; the orchestrator's ResultSelector must drop it.
 */
export const startExecutionSync =
  (launch: SandboxWorkflow) =>
  async (task: TaskContext, req: { StateMachineArn: string; Name?: string; Input?: unknown }): Promise<unknown> => {
    await task.act('states:StartExecution', req.StateMachineArn);
    if (req.StateMachineArn !== launch.arn)
      throw new TaskError(
        'StepFunctions.StateMachineDoesNotExistException',
        `State Machine Does Not Exist: '${req.StateMachineArn}'`,
      );
    if (!req.Name) throw new TaskError('StepFunctions.InvalidNameException', 'the launch execution must be named');
    const input = typeof req.Input === 'string' ? req.Input : JSON.stringify(req.Input ?? {});
    const execution = launch.start(req.Name, input);
    // Cross-account .sync is polled with the same credentials until the execution ends.
    await task.act('states:DescribeExecution', execution.arn);
    await execution.done;
    const described = {
      ExecutionArn: execution.arn,
      StateMachineArn: execution.stateMachineArn,
      Name: execution.name,
      Status: execution.status,
      StartDate: execution.startDate.toISOString(),
      StopDate: execution.stopDate?.toISOString(),
      Input: JSON.parse(execution.input) as unknown,
      InputDetails: { Included: true },
    };
    if (execution.status === 'SUCCEEDED')
      return { ...described, Output: execution.output, OutputDetails: { Included: true } };
    throw new TaskError(
      'States.TaskFailed',
      JSON.stringify({ ...described, Error: execution.error, Cause: execution.cause }),
    );
  };
