import type { StateMachineModel } from '@airlock/cloud-assembly';
import { describe, expect, it } from 'vitest';
import { stateMachineTasks } from '../../src/rules/state-machine-tasks.js';
import { env, networkResource, sandboxNetworkResources, surfaceOf } from './surface.js';

const RUNNER_REVISION = 'arn:aws:ecs:eu-west-1:222222222222:task-definition/airlock-example-runner:1';
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
  // As synthesized: the launch RunTask names the runner task definition by Ref.
  taskDefinitionReferences: [RUNNER_REVISION],
});
const LAUNCHER = `arn:aws:iam::${env.accounts.sandbox}:role/airlock-example-sandbox-launcher`;
/** The launch workflow's RunTask as synthesized (one container shown), with `parameters` laid over it. */
const fixedRunTask = () => ({
  Cluster: 'arn:aws:ecs:eu-west-1:222222222222:cluster/airlock-example-sandbox',
  TaskDefinition: RUNNER_REVISION,
  LaunchType: 'FARGATE',
  NetworkConfiguration: {
    AwsvpcConfiguration: {
      Subnets: ['airlock-example-sandbox-Subnet1'],
      SecurityGroups: ['TaskGroup.GroupId'],
      AssignPublicIp: 'DISABLED',
    },
  },
  'StartedBy.$': '$$.Execution.Name',
  Overrides: {
    ContainerOverrides: [{ Name: 'fetch', Environment: [{ Name: 'INPUT_URL', 'Value.$': '$.inputUrl' }] }],
  },
});
const runTask = (parameters: Record<string, unknown>, state: Record<string, unknown> = {}) => ({
  RunTask: {
    Type: 'Task',
    Resource: 'arn:aws:states:::ecs:runTask.sync',
    Parameters: { ...fixedRunTask(), ...parameters },
    ...state,
  },
});
const messagesOf = (machines: StateMachineModel[], networkResources = sandboxNetworkResources()) =>
  stateMachineTasks
    .check(surfaceOf({ stateMachines: machines, networkResources }))
    .flatMap((v) => (v.compliance === 'non-compliant' ? [v.message] : []));
const launchMessages = (parameters: Record<string, unknown>, state: Record<string, unknown> = {}) =>
  messagesOf([machine('sandbox', 'airlock-example-launch', runTask(parameters, state))]);

describe('state-machine-tasks', () => {
  it('is compliant for a literal target role in the analysis workflow and a fixed RunTask in the launch workflow', () => {
    const analysis = machine('orchestrator', 'airlock-example-analysis', {
      RunUntrusted: {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution.sync:2',
        Credentials: { RoleArn: LAUNCHER },
      },
    });
    const launch = machine('sandbox', 'airlock-example-launch', runTask({}));
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
      'state RunTask lets its parameters set task-level overrides (Overrides.Memory)',
      'state RunTask lets its parameters set the task definition revision (TaskDefinition.$)',
      'state RunTask lets its parameters set the count, CPU or memory (Cpu)',
      'state Each/RunTask lets its parameters set the size, count or platform (Count.$)',
    ]);
  });

  const awsvpc = (change: Record<string, unknown>) => ({
    NetworkConfiguration: {
      AwsvpcConfiguration: { ...fixedRunTask().NetworkConfiguration.AwsvpcConfiguration, ...change },
    },
  });
  it.each([
    ['a public IP', awsvpc({ AssignPublicIp: 'ENABLED' }), 'state RunTask sets AssignPublicIp "ENABLED", not DISABLED'],
    [
      'a subnet of another network',
      awsvpc({ Subnets: ['subnet-0123'] }),
      'state RunTask runs the task in subnet "subnet-0123", not an isolated subnet of the sandbox VPC',
    ],
    [
      'another security group',
      awsvpc({ SecurityGroups: ['sg-0123'] }),
      'state RunTask runs the task in a group that is not the runner\'s: "sg-0123" is not a security group of the sandbox network',
    ],
    [
      'a second security group',
      awsvpc({ SecurityGroups: ['TaskGroup.GroupId', 'sg-0123'] }),
      'state RunTask names ["TaskGroup.GroupId","sg-0123"] as SecurityGroups, not exactly the runner\'s group',
    ],
    [
      'another cluster',
      { Cluster: 'arn:aws:ecs:eu-west-1:222222222222:cluster/other' },
      'state RunTask runs on cluster "arn:aws:ecs:eu-west-1:222222222222:cluster/other", not the literal runner cluster arn:aws:ecs:eu-west-1:222222222222:cluster/airlock-example-sandbox',
    ],
    [
      'the cluster from the input',
      { 'Cluster.$': '$.cluster' },
      'state RunTask lets its parameters set the cluster (Cluster.$)',
    ],
    [
      'another family',
      { TaskDefinition: 'arn:aws:ecs:eu-west-1:222222222222:task-definition/debug:3' },
      'state RunTask runs task definition "arn:aws:ecs:eu-west-1:222222222222:task-definition/debug:3", not a literal revision of the airlock-example-runner family',
    ],
    [
      'a platform version',
      { PlatformVersion: '1.3.0' },
      "state RunTask sets PlatformVersion, which the launch workflow's fixed RunTask shape does not have",
    ],
    [
      'a capacity provider',
      { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT' }] },
      "state RunTask sets CapacityProviderStrategy, which the launch workflow's fixed RunTask shape does not have",
    ],
    [
      'ECS Exec',
      { EnableExecuteCommand: true },
      "state RunTask sets EnableExecuteCommand, which the launch workflow's fixed RunTask shape does not have",
    ],
    [
      'an EBS volume',
      { VolumeConfigurations: [{ Name: 'v' }] },
      "state RunTask sets VolumeConfigurations, which the launch workflow's fixed RunTask shape does not have",
    ],
    [
      'tag propagation',
      { PropagateTags: 'TASK_DEFINITION' },
      "state RunTask sets PropagateTags, which the launch workflow's fixed RunTask shape does not have",
    ],
    [
      'another .$ key',
      { 'ReferenceId.$': '$.ref' },
      "state RunTask sets ReferenceId.$, which the launch workflow's fixed RunTask shape does not have",
    ],
    [
      'a URL in the wrong variable',
      {
        Overrides: {
          ContainerOverrides: [{ Name: 'run', Environment: [{ Name: 'RUN_DEADLINE', 'Value.$': '$.outputPost' }] }],
        },
      },
      'state RunTask fills RUN_DEADLINE of container run from "$.outputPost", not $.deadline',
    ],
  ])('fails a RunTask that changes %s, naming it', (_change, parameters, message) => {
    expect(launchMessages(parameters)).toEqual([message]);
  });

  it('accepts EnableExecuteCommand false, which is the default', () => {
    expect(launchMessages({ EnableExecuteCommand: false })).toEqual([]);
  });

  it('fails a RunTask that is not the .sync integration or is written in JSONata', () => {
    expect(launchMessages({}, { Resource: 'arn:aws:states:::ecs:runTask' })).toEqual([
      'state RunTask calls arn:aws:states:::ecs:runTask, not arn:aws:states:::ecs:runTask.sync',
    ]);
    expect(launchMessages({}, { QueryLanguage: 'JSONata', Arguments: {} })).toEqual([
      'state RunTask uses JSONata, whose Arguments the review does not read: use JSONPath Parameters',
    ]);
  });

  it('fails when the subnet has a route out, a public IP on launch, or no DNS firewall on its VPC', () => {
    const [vpc, subnet, association, group, firewall] = sandboxNetworkResources();
    const subnetMessage =
      'state RunTask runs the task in subnet "airlock-example-sandbox-Subnet1", not an isolated subnet of the sandbox VPC';
    const route = networkResource('AWS::EC2::Route', 'Out', {
      RouteTableId: 'airlock-example-sandbox-Subnet1Table',
      DestinationCidrBlock: '0.0.0.0/0',
    });
    const launch = [machine('sandbox', 'airlock-example-launch', runTask({}))];
    expect(messagesOf(launch, [vpc!, subnet!, association!, group!, firewall!, route])).toEqual([subnetMessage]);
    const publicSubnet = { ...subnet!, properties: { ...subnet!.properties, MapPublicIpOnLaunch: true } };
    expect(messagesOf(launch, [vpc!, publicSubnet, association!, group!, firewall!])).toEqual([subnetMessage]);
    expect(messagesOf(launch, [vpc!, subnet!, association!, group!])).toEqual([subnetMessage]);
  });

  it('fails when the runner group accepts connections', () => {
    const ingress = networkResource('AWS::EC2::SecurityGroupIngress', 'In', {
      GroupId: 'TaskGroup.GroupId',
      CidrIp: '10.0.0.0/8',
      IpProtocol: '-1',
    });
    expect(
      messagesOf([machine('sandbox', 'airlock-example-launch', runTask({}))], [...sandboxNetworkResources(), ingress]),
    ).toEqual([
      "state RunTask runs the task in a group that is not the runner's: security group TaskGroup accepts connections (the runner's group has no ingress)",
    ]);
  });

  it('fails a RunTask that pins the runner revision literally instead of naming the task definition (Ref)', () => {
    const pinned: StateMachineModel = {
      ...machine('sandbox', 'airlock-example-launch', runTask({})),
      taskDefinitionReferences: [],
    };
    expect(messagesOf([pinned])).toEqual([
      `state RunTask pins task definition revision ${RUNNER_REVISION} literally, so it keeps running that revision whatever the template's task definition becomes. Fix: name the task definition construct (a Ref, which resolves to the revision each deploy registers)`,
    ]);
    expect(messagesOf([machine('sandbox', 'airlock-example-launch', runTask({}))])).toEqual([]);
  });

  it('refuses a definition it cannot read', () => {
    const unreadable: StateMachineModel = {
      ...machine('sandbox', 'airlock-example-launch', {}),
      unresolved: '${x} has no DefinitionSubstitutions entry',
    };
    expect(messagesOf([unreadable])).toEqual([
      'cannot be reviewed: ${x} has no DefinitionSubstitutions entry. Fix: keep the whole definition in the template',
    ]);
  });
});
