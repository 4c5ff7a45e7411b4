import { runnerTaskDefinitionFamily } from '@airlock/contracts';
import { defineRule, verdictsFor, type Verdict } from './define-rule.js';

export const sandboxTaskNoRole = defineRule({
  id: 'sandbox-task-no-role',
  invariant: 'I4',
  explanation:
    'The untrusted task has no task role, so the code inside gets no credentials; no task definition of the ' +
    'sandbox account has one, and the runner family must be there to be checked.',
  check: (surface) => {
    const family = runnerTaskDefinitionFamily(surface.env);
    const tasks = surface.taskDefinitions.filter((t) => t.account === 'sandbox');
    const missingRunner: Verdict[] = tasks.some((t) => t.family === family)
      ? []
      : [
          {
            account: 'sandbox',
            subject: `task definition ${family}`,
            compliance: 'non-compliant',
            message: 'no runner task definition of this family in the sandbox account, so its task role is unchecked',
          },
        ];
    return [
      ...missingRunner,
      ...tasks.flatMap((t) =>
        verdictsFor(
          { account: 'sandbox', subject: `task definition ${t.family}` },
          t.taskRoleArn === undefined ? [] : [`has task role ${String(t.taskRoleArn)}`],
        ),
      ),
    ];
  },
});
