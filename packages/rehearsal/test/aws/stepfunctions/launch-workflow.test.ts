import '../../../src/aws/stepfunctions/polyfill.js';
import { fileURLToPath } from 'node:url';
import type { TrustSurface } from '@airlock/cloud-assembly';
import { describe, expect, it } from 'vitest';
import { ecsIntegrations } from '../../../src/aws/ecs/ecs-integrations.js';
import { LocalEcs } from '../../../src/aws/ecs/local-ecs.js';
import { containerSpecs } from '../../../src/aws/ecs/task-definition.js';
import { EventBus, executionStatusChange, type EventRule } from '../../../src/aws/events/event-bus.js';
import { SandboxWorkflow } from '../../../src/aws/stepfunctions/sandbox-workflow.js';
import { Authorizer } from '../../../src/iam/authorizer.js';

// A hand-made launch workflow, reaper and abort rule in the shape the sandbox template gives them.
const account = '222222222222';
const region = 'eu-west-1';
const cluster = `arn:aws:ecs:${region}:${account}:cluster/airlock-test-sandbox`;
const taskDefinition = `arn:aws:ecs:${region}:${account}:task-definition/airlock-test-runner:1`;
const launchArn = `arn:aws:states:${region}:${account}:stateMachine:airlock-test-launch`;
const reaperArn = `arn:aws:states:${region}:${account}:stateMachine:airlock-test-launch-reaper`;
const role = (name: string) => `arn:aws:iam::${account}:role/${name}`;
const probe = fileURLToPath(new URL('../ecs/probe-container.mjs', import.meta.url));

const env = (pairs: Record<string, string>) => Object.entries(pairs).map(([Name, v]) => ({ Name, 'Value.$': v }));
const launchDefinition = {
  StartAt: 'RunTask',
  States: {
    RunTask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::ecs:runTask.sync',
      Parameters: {
        Cluster: cluster,
        TaskDefinition: taskDefinition,
        LaunchType: 'FARGATE',
        'StartedBy.$': '$$.Execution.Name',
        NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ['subnet-1'], AssignPublicIp: 'DISABLED' } },
        Overrides: {
          ContainerOverrides: [
            {
              Name: 'fetch',
              Environment: env({ INPUT_URL: '$.inputUrl', RUN_ID: '$$.Execution.Name', RUN_DEADLINE: '$.deadline' }),
            },
            { Name: 'run', Environment: env({ RUN_DEADLINE: '$.deadline' }) },
            { Name: 'deliver', Environment: env({ OUTPUT_POST: '$.outputPost', RUN_ID: '$$.Execution.Name' }) },
          ],
        },
      },
      ResultSelector: { 'containers.$': '$.Containers', 'stoppedReason.$': '$.StoppedReason' },
      End: true,
    },
  },
};
const reaperDefinition = {
  StartAt: 'FindTasks',
  States: {
    FindTasks: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:ecs:listTasks',
      Parameters: { Cluster: cluster, 'StartedBy.$': '$.executionName', DesiredStatus: 'RUNNING' },
      Next: 'StopEach',
    },
    StopEach: {
      Type: 'Map',
      ItemsPath: '$.TaskArns',
      Iterator: {
        StartAt: 'StopTask',
        States: {
          StopTask: {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:ecs:stopTask',
            Parameters: { Cluster: cluster, 'Task.$': '$', Reason: 'its launch execution ended without stopping it' },
            End: true,
          },
        },
      },
      End: true,
    },
  },
};
const abortRule: EventRule = {
  name: 'airlock-test-launch-ended',
  arn: `arn:aws:events:${region}:${account}:rule/airlock-test-launch-ended`,
  pattern: {
    source: ['aws.states'],
    'detail-type': ['Step Functions Execution Status Change'],
    detail: { stateMachineArn: [launchArn], status: ['ABORTED', 'TIMED_OUT', 'FAILED'] },
  },
  targets: [
    {
      Arn: reaperArn,
      RoleArn: role('events'),
      InputTransformer: {
        InputPathsMap: { 'detail-name': '$.detail.name' },
        InputTemplate: '{"executionName":<detail-name>}',
      },
    },
  ],
};

const allow = (Action: string[], Resource: string, Condition?: object) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
const onCluster = { ArnEquals: { 'ecs:cluster': cluster } };
const roleModel = (name: string, statements: object[]) => ({
  name,
  arn: role(name),
  accountId: account,
  trust: { Statement: [] },
  permissions: [{ name: 'policy', document: { Version: '2012-10-17', Statement: statements } }],
  managedPolicyArns: [],
});
const surface = {
  roles: [
    roleModel('launch', [
      allow(['ecs:RunTask'], taskDefinition, onCluster),
      allow(['iam:PassRole'], role('exec'), { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }),
      allow(
        ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        `arn:aws:events:${region}:${account}:rule/StepFunctionsGetEventsForECSTaskRule`,
      ),
      allow(['ecs:ListTasks', 'ecs:StopTask', 'ecs:DescribeTasks'], '*', onCluster),
    ]),
    roleModel('reaper', [allow(['ecs:ListTasks', 'ecs:StopTask'], '*', onCluster)]),
    roleModel('events', [allow(['states:StartExecution'], reaperArn)]),
  ],
} as unknown as TrustSurface;

function sandbox(runBehaviour: string, rules: readonly EventRule[] = [abortRule]) {
  const ecs = new LocalEcs(
    {
      family: 'airlock-test-runner',
      arn: taskDefinition,
      executionRoleArn: role('exec'),
      memoryMiB: 512,
      cpuUnits: 256,
      architecture: 'ARM64',
      containers: containerSpecs([
        { Name: 'fetch', Command: ['fetch'], Essential: false, MountPoints: [] },
        {
          Name: 'run',
          Command: ['run', runBehaviour],
          Essential: false,
          DependsOn: [{ ContainerName: 'fetch', Condition: 'SUCCESS' }],
        },
        { Name: 'deliver', Command: ['deliver'], DependsOn: [{ ContainerName: 'run', Condition: 'COMPLETE' }] },
      ]),
    },
    { program: (c) => ({ program: probe, args: [c.name, ...c.command.slice(1)] }) },
  );
  const authorizer = new Authorizer(surface);
  const integrations = ecsIntegrations(ecs);
  const reaper = new SandboxWorkflow(reaperArn, role('reaper'), reaperDefinition, authorizer, integrations);
  const bus = new EventBus(rules, new Map([[reaperArn, reaper]]), authorizer);
  const reaped: Array<Promise<unknown>> = [];
  const launch = new SandboxWorkflow(launchArn, role('launch'), launchDefinition, authorizer, integrations, {
    onEnd: (e) => reaped.push(bus.put(executionStatusChange(e, account, region))),
  });
  return { ecs, launch, reaper, authorizer, reaped };
}

const request = JSON.stringify({
  inputUrl: 'https://in',
  outputPost: '{"url":"https://out","fields":{}}',
  deadline: '1',
});

describe('the launch workflow on the rehearsal', () => {
  it('runs the task as its own role and ends with each container by name', async () => {
    const { launch, authorizer } = sandbox('exit-0');
    const execution = launch.start('run-1', request);
    await execution.done;
    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      transitions: 1,
      output: {
        containers: [
          { Name: 'fetch', ExitCode: 0 },
          { Name: 'run', ExitCode: 0 },
          { Name: 'deliver', ExitCode: 0 },
        ],
        stoppedReason: 'Essential container in task exited',
      },
    });
    expect(authorizer.decisions.map((d) => `${d.action} ${String(d.allowed)}`)).toEqual([
      'ecs:RunTask true',
      'iam:PassRole true',
      'events:PutTargets true',
      'events:PutRule true',
      'events:DescribeRule true',
    ]);
  });

  it('answers a second start with the same name and input with the same execution, and refuses another input', () => {
    const { launch } = sandbox('exit-0');
    const first = launch.start('run-2', request);
    expect(launch.start('run-2', request)).toBe(first);
    expect(() => launch.start('run-2', request.replace('https://in', 'https://other'))).toThrow(
      /Execution Already Exists/,
    );
    return first.done;
  });

  it('fails RunTask clearly when the overrides exceed 8,192 characters', async () => {
    const { launch } = sandbox('exit-0');
    const execution = launch.start('run-3', request.replace('https://in', `https://in/${'x'.repeat(8200)}`));
    await execution.done;
    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'ECS.InvalidParameterException',
      cause: expect.stringMatching(
        /Container Overrides length must be at most 8192 \(the overrides are \d+ characters\)/,
      ),
    });
  });

  it.each([
    ['stops the task of an aborted launch through the rule and the reaper: no process is left', [abortRule], 0],
    ['leaves the task running after an abort when no rule reacts (why the rule exists)', [], 1],
  ] as const)('%s', async (_title, rules, tasksLeft) => {
    const { ecs, launch, reaped } = sandbox('hang-with-setsid-child', rules);
    const execution = launch.start('run-4', request);
    await expect.poll(() => ecs.listTasks(cluster, 'run-4').length).toBe(1);
    await expect.poll(() => ecs.remainingProcesses().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    execution.abort();
    await execution.done;
    await Promise.all(reaped);
    expect(execution.status).toBe('ABORTED');
    await Promise.all(
      ecs
        .running()
        .filter(() => tasksLeft === 0)
        .map((t) => t.stopped),
    );
    expect(ecs.running()).toHaveLength(tasksLeft);
    if (tasksLeft === 0) expect(ecs.remainingProcesses()).toEqual([]);
    for (const task of ecs.running()) {
      task.stop('test cleanup');
      await task.stopped;
    }
    expect(ecs.remainingProcesses()).toEqual([]);
  });
});
