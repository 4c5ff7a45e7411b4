import type { StateMachineModel } from '@airlock/cloud-assembly';
import { describe, expect, it } from 'vitest';
import { stateMachineTasks } from '../../src/rules/state-machine-tasks.js';
import { env, surfaceOf } from './surface.js';

const machine = (
  account: 'orchestrator' | 'sandbox',
  name: string,
  States: Record<string, unknown>,
): StateMachineModel => ({
  account,
  accountId: env.accounts[account],
  stack: `airlock-example-${account}`,
  logicalId: 'StateMachine',
  name,
  roleArn: `arn:aws:iam::${env.accounts[account]}:role/${name}-role`,
  definition: { States },
});
const LAUNCHER = `arn:aws:iam::${env.accounts.sandbox}:role/airlock-example-sandbox-launcher`;
const runTask = (parameters: Record<string, unknown>) => ({
  RunTask: {
    Type: 'Task',
    Resource: 'arn:aws:states:::ecs:runTask.sync',
    Parameters: { LaunchType: 'FARGATE', ...parameters },
  },
});
const messagesOf = (machines: StateMachineModel[]) =>
  stateMachineTasks
    .check(surfaceOf({ stateMachines: machines }))
    .flatMap((v) => (v.compliance === 'non-compliant' ? [v.message] : []));

describe('state-machine-tasks', () => {
  it('is compliant for a literal target role in the analysis workflow and a fixed RunTask in the launch workflow', () => {
    const analysis = machine('orchestrator', 'airlock-example-analysis', {
      RunUntrusted: {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution.sync:2',
        Credentials: { RoleArn: LAUNCHER },
      },
    });
    const launch = machine(
      'sandbox',
      'airlock-example-launch',
      runTask({
        TaskDefinition: 'arn:aws:ecs:eu-west-1:222222222222:task-definition/airlock-example-runner:1',
        'StartedBy.$': '$$.Execution.Name',
        Overrides: {
          ContainerOverrides: [{ Name: 'fetch', Environment: [{ Name: 'INPUT_URL', 'Value.$': '$.inputUrl' }] }],
        },
      }),
    );
    expect(messagesOf([analysis, launch])).toEqual([]);
  });

  it('fails a Credentials role taken from the input, or one that is not a target role, or used outside the analysis workflow', () => {
    expect(
      messagesOf([
        machine('orchestrator', 'airlock-example-analysis', {
          A: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Credentials: { 'RoleArn.$': '$.role' } },
          B: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Credentials: { RoleArn: 'arn:aws:iam::999999999999:role/x' },
          },
        }),
        machine('sandbox', 'airlock-example-launch-reaper', {
          C: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Credentials: { RoleArn: LAUNCHER } },
        }),
      ]),
    ).toEqual([
      'state A takes its Credentials role from {"RoleArn.$":"$.role"}, not one literal RoleArn',
      'state B assumes arn:aws:iam::999999999999:role/x, which is not one of the target roles',
      'state C of airlock-example-launch-reaper assumes a role with Credentials; only the analysis workflow may',
    ]);
  });

  it('fails ECS calls other than the fixed RunTask and find-and-stop, a StartedBy not the execution name, and foreign variables', () => {
    expect(
      messagesOf([
        machine('sandbox', 'airlock-example-launch', {
          Start: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ecs:startTask', Parameters: {} },
          ...runTask({
            'StartedBy.$': '$.who',
            Overrides: {
              ContainerOverrides: [
                { Name: 'deliver', Environment: [{ Name: 'NODE_OPTIONS', 'Value.$': '$.deadline' }] },
              ],
            },
          }),
        }),
      ]),
    ).toEqual([
      "state Start of airlock-example-launch calls ECS startTask; only the launch workflow's RunTask starts tasks",
      "state RunTask does not set StartedBy to the execution's name",
      'state RunTask gives container deliver "NODE_OPTIONS", not one of its per-run variables',
    ]);
  });

  it('fails a RunTask whose parameters choose the revision, the size or task-level overrides, and one nested in a Map', () => {
    expect(
      messagesOf([
        machine('sandbox', 'airlock-example-launch', {
          ...runTask({
            'StartedBy.$': '$$.Execution.Name',
            'TaskDefinition.$': '$.td',
            Cpu: '4096',
            Overrides: { Memory: '8192' },
          }),
          Each: {
            Type: 'Map',
            ItemProcessor: { States: runTask({ 'StartedBy.$': '$$.Execution.Name', 'Count.$': '$.n' }) },
          },
        }),
      ]),
    ).toEqual([
      'state RunTask lets its parameters set the task definition revision (TaskDefinition.$)',
      'state RunTask lets its parameters set the count, CPU or memory (Cpu)',
      'state RunTask lets its parameters set task-level overrides (Overrides.Memory)',
      'state Each/RunTask lets its parameters set the size, count or platform (Count.$)',
    ]);
  });
});
