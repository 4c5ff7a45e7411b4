import { accountOfArn } from '@airlock/cloud-assembly';
import { TaskError } from '../stepfunctions/task-error.js';
import type { TaskContext } from '../stepfunctions/task-handler.js';

/** `aws-sdk:ssm:getParameter`: the sandbox's launch config, the one parameter its template defines. */
export async function getParameter(task: TaskContext, req: { Name: string }): Promise<unknown> {
  const { env, launchConfig } = task.artifacts;
  const account = accountOfArn(task.role) ?? '';
  await task.act('ssm:GetParameter', `arn:${env.partition}:ssm:${env.region}:${account}:parameter${req.Name}`);
  if (req.Name !== launchConfig.name)
    throw new TaskError('Ssm.ParameterNotFoundException', `parameter ${req.Name} does not exist`);
  return { Parameter: { Name: req.Name, Type: 'String', Value: launchConfig.value } };
}
