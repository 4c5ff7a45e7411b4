import { TaskError } from './task-error.js';
import type { ExpressEngine } from './express-engine.js';
import type { TaskContext } from './task-handler.js';

/** `aws-sdk:sfn:startSyncExecution`: runs the data plane's Express workflow and answers as AWS does (200, any Status). */
export const startSyncExecution =
  (express: ExpressEngine) =>
  async (task: TaskContext, req: { StateMachineArn: string; Input: string }): Promise<unknown> => {
    await task.act('states:StartSyncExecution', req.StateMachineArn);
    if (req.StateMachineArn !== task.artifacts.express.arn)
      throw new TaskError(
        'Sfn.StateMachineDoesNotExistException',
        `State Machine Does Not Exist: '${req.StateMachineArn}'`,
      );
    return express.startSync(
      JSON.parse(req.Input),
      `${task.runId}-${task.stateName}`.slice(0, 80),
      req.StateMachineArn,
    );
  };
