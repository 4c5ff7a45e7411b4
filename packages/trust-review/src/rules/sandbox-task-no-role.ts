import type { TrustRule } from './finding.js';

/** I4: the untrusted task has no task role, so the code inside gets no credentials. */
export const sandboxTaskNoRole: TrustRule = (surface) => {
  const tasks = surface.taskDefinitions.filter((t) => t.account === 'sandbox');
  if (tasks.length === 0)
    return [
      {
        rule: 'sandbox-task-no-role',
        account: 'sandbox',
        subject: 'task definitions',
        message: 'no task definition found in the sandbox account',
      },
    ];
  return tasks
    .filter((t) => t.taskRoleArn !== undefined)
    .map((t) => ({
      rule: 'sandbox-task-no-role',
      account: 'sandbox',
      subject: `task definition ${t.family}`,
      message: `has task role ${String(t.taskRoleArn)}`,
    }));
};
