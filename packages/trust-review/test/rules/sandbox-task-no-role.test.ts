import { describe, expect, it } from 'vitest';
import { sandboxTaskNoRole } from '../../src/rules/sandbox-task-no-role.js';
import { surfaceOf, taskDefinition } from './surface.js';

describe('sandbox-task-no-role', () => {
  it('is compliant for the runner task definition without a task role', () => {
    expect(sandboxTaskNoRole.check(surfaceOf({ taskDefinitions: [taskDefinition('airlock-example-runner')] }))).toEqual(
      [{ account: 'sandbox', subject: 'task definition airlock-example-runner', compliance: 'compliant' }],
    );
  });

  it('fails when the runner task definition has a task role', () => {
    const task = taskDefinition('airlock-example-runner', 'arn:aws:iam::222222222222:role/sneaky');
    expect(sandboxTaskNoRole.check(surfaceOf({ taskDefinitions: [task] }))).toEqual([
      {
        account: 'sandbox',
        subject: 'task definition airlock-example-runner',
        compliance: 'non-compliant',
        message: 'has task role arn:aws:iam::222222222222:role/sneaky',
      },
    ]);
  });

  it('fails when the runner task definition is missing, so nothing would be checked', () => {
    expect(sandboxTaskNoRole.check(surfaceOf({ taskDefinitions: [taskDefinition('renamed-runner')] }))).toEqual([
      {
        account: 'sandbox',
        subject: 'task definition airlock-example-runner',
        compliance: 'non-compliant',
        message: 'no runner task definition of this family in the sandbox account, so its task role is unchecked',
      },
      { account: 'sandbox', subject: 'task definition renamed-runner', compliance: 'compliant' },
    ]);
  });
});
