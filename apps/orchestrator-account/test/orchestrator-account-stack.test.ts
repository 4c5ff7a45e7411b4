import { loadEnvironment, synthAccountStackForTest } from '@airlock/shared';
import { EXAMPLE_ORCHESTRATOR_ROLE_TRUST } from '@airlock/shared/testing';
import validateAsl from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { OrchestratorAccountStack } from '../src/orchestrator-account-stack.js';

const airlock = loadEnvironment('example');
const { stack, template } = synthAccountStackForTest((app) => new OrchestratorAccountStack(app, { airlock }));
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

type State = Record<string, unknown> & { Type: string; Next?: string; End?: boolean };
const stateMachine = ofType('AWS::StepFunctions::StateMachine')[0]![1].Properties;
const definition = JSON.parse(stack.resolve(stateMachine.DefinitionString) as string) as {
  StartAt: string;
  States: Record<string, State>;
};
const states = definition.States;

const INVOKER = 'arn:aws:iam::333333333333:role/airlock-example-data-invoker';
const LAUNCHER = 'arn:aws:iam::222222222222:role/airlock-example-sandbox-launcher';
const DATA_PLANE = 'arn:aws:states:eu-west-1:333333333333:stateMachine:airlock-example-data-plane';

/** Every state a state can go to next: Next, Choice branches and default, Catch targets. */
function successors(state: State): string[] {
  const choices = ((state.Choices as Array<{ Next: string }> | undefined) ?? []).map((c) => c.Next);
  const catches = ((state.Catch as Array<{ Next: string }> | undefined) ?? []).map((c) => c.Next);
  return [state.Next, ...choices, state.Default as string | undefined, ...catches].filter(
    (s): s is string => typeof s === 'string',
  );
}

/** Every path from StartAt to a terminal state (the definition is acyclic). */
function allPaths(from = definition.StartAt, path: string[] = []): string[][] {
  const here = [...path, from];
  const next = successors(states[from]!);
  return next.length === 0 ? [here] : next.flatMap((n) => allPaths(n, here));
}

describe('analysis state machine', () => {
  it('is a JSONPath Standard workflow with the deterministic name, valid ASL', () => {
    expect(stateMachine).toMatchObject({ StateMachineName: 'airlock-example-analysis', StateMachineType: 'STANDARD' });
    // CDK marks its own states JSONPath explicitly; nothing may be JSONata.
    expect(definition).not.toHaveProperty('QueryLanguage');
    for (const state of Object.values(states)) expect(state.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    expect(JSON.stringify(definition)).not.toMatch(/\{%|"Arguments"|"Assign"|"Output"\s*:/);
    expect(validateAsl(definition)).toMatchObject({ isValid: true, errors: [] });
  });

  it('calls the data plane with the invoker role, a string input built from state, and retries only transient errors', () => {
    for (const [name, request] of [
      ['Prepare', '$.prepare'],
      ['Finalize', '$.finalize'],
      ['Purge', '$.purge'],
    ] as const) {
      expect(states[name]).toMatchObject({
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:sfn:startSyncExecution',
        Credentials: { RoleArn: INVOKER },
        Parameters: { StateMachineArn: DATA_PLANE, 'Input.$': `States.JsonToString(${request})` },
        ResultPath: request,
        Retry: [
          {
            ErrorEquals: [
              'Sfn.SdkClientException',
              'Sfn.ThrottlingException',
              'Ssm.SdkClientException',
              'Ssm.ThrottlingException',
            ],
            JitterStrategy: 'FULL',
            MaxAttempts: 3,
          },
        ],
      });
    }
  });

  it('builds data-plane requests from identifiers only, the run ID being the execution name', () => {
    expect(states.Start).toMatchObject({
      Type: 'Pass',
      Parameters: {
        prepare: { action: 'prepare', 'runId.$': '$$.Execution.Name', 'submissionId.$': '$.submissionId' },
        purge: { action: 'purge', 'runId.$': '$$.Execution.Name' },
      },
    });
  });

  it('checks the sync execution Status, because StartSyncExecution answers 200 for FAILED runs', () => {
    expect(states.PrepareSucceeded).toEqual({
      Type: 'Choice',
      QueryLanguage: 'JSONPath',
      Choices: [{ Variable: '$.prepare.Status', StringEquals: 'SUCCEEDED', Next: 'ParseGrant' }],
      Default: 'Purge',
    });
    const outcome = states.Outcome as unknown as { Choices: Array<Record<string, unknown>>; Default: string };
    expect(outcome.Choices).toContainEqual({ Variable: '$.finalize.Status', StringEquals: 'SUCCEEDED', Next: 'Done' });
    expect(outcome.Choices).toContainEqual({
      Variable: '$.finalize.Error',
      StringEquals: 'Airlock.RunFailed',
      Next: 'RunFailed',
    });
    expect(outcome.Default).toBe('FinalizeFailed');
  });

  it('reads the launch config in the sandbox account with the launcher role', () => {
    expect(states.LoadSandboxConfig).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:ssm:getParameter',
      Credentials: { RoleArn: LAUNCHER },
      Parameters: { Name: '/airlock/example/sandbox/launch-config' },
      ResultSelector: { 'config.$': 'States.StringToJson($.Parameter.Value)' },
      ResultPath: '$.launch',
    });
  });

  it('runs the untrusted task on Fargate with no public IP, only the three overrides, a timeout and jittered ECS retries', () => {
    expect(states.RunUntrusted).toEqual({
      Type: 'Task',
      QueryLanguage: 'JSONPath',
      Resource: 'arn:aws:states:::ecs:runTask.sync',
      Credentials: { RoleArn: LAUNCHER },
      TimeoutSeconds: 300 + 180,
      Parameters: {
        LaunchType: 'FARGATE',
        'Cluster.$': '$.launch.config.clusterArn',
        'TaskDefinition.$': '$.launch.config.taskDefinitionFamily',
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            'Subnets.$': '$.launch.config.subnets',
            'SecurityGroups.$': '$.launch.config.securityGroups',
            AssignPublicIp: 'DISABLED',
          },
        },
        Overrides: {
          ContainerOverrides: [
            {
              'Name.$': '$.launch.config.containerName',
              Environment: [
                { Name: 'INPUT_URL', 'Value.$': '$.finalize.task.inputUrl' },
                { Name: 'OUTPUT_POST', 'Value.$': '$.finalize.task.outputPost' },
                { Name: 'RUN_DEADLINE', 'Value.$': '$.finalize.task.deadline' },
              ],
            },
          ],
        },
      },
      ResultSelector: { 'containers.$': '$.Containers', 'stoppedReason.$': '$.StoppedReason' },
      ResultPath: '$.finalize.task',
      Retry: [
        {
          ErrorEquals: [
            'ECS.AmazonECSException',
            'ECS.ThrottlingException',
            'ECS.LimitExceededException',
            'ECS.ServerException',
          ],
          IntervalSeconds: 5,
          BackoffRate: 2,
          MaxAttempts: 4,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
        },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.finalize.task', Next: 'Finalize' }],
      Next: 'Finalize',
    });
  });

  it('drops the presigned URLs from state as soon as RunUntrusted has them', () => {
    // The grant lives only at $.finalize.task: written by ParseGrant, overwritten by RunUntrusted's result or error.
    expect(states.ParseGrant).toMatchObject({
      Parameters: { finalize: { 'task.$': 'States.StringToJson($.prepare.Output)' } },
    });
    expect(Object.keys(states.ParseGrant!.Parameters as object)).toEqual(['finalize', 'purge.$']);
    expect(states.RunUntrusted).toMatchObject({ ResultPath: '$.finalize.task' });
    for (const entry of states.RunUntrusted!.Catch as Array<{ ResultPath: string }>)
      expect(entry.ResultPath).toBe('$.finalize.task');
    expect(states.LoadSandboxConfig).toMatchObject({
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.finalize.task', Next: 'Finalize' }],
    });
  });

  it('reaches Purge on every path before the run ends, success or failure', () => {
    const paths = allPaths();
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) expect(path, path.join(' → ')).toContain('Purge');
    const terminals = new Set(paths.map((p) => p.at(-1)));
    expect([...terminals].sort()).toEqual(['Done', 'FinalizeFailed', 'PrepareFailed', 'PurgeFailed', 'RunFailed']);
    for (const name of ['PrepareFailed', 'RunFailed', 'FinalizeFailed', 'PurgeFailed']) {
      expect(states[name]).toEqual({
        Type: 'Fail',
        QueryLanguage: 'JSONPath',
        Error: `Airlock.${name}`,
        Cause: expect.any(String),
      });
    }
  });

  it('catches every error of every task', () => {
    for (const name of ['Prepare', 'LoadSandboxConfig', 'RunUntrusted', 'Finalize', 'Purge']) {
      expect((states[name]!.Catch as Array<{ ErrorEquals: string[] }>).map((c) => c.ErrorEquals)).toEqual([
        ['States.ALL'],
      ]);
    }
  });

  it('takes 10 state transitions on the happy path (budget: 12)', () => {
    const happy = [
      'Start',
      'Prepare',
      'PrepareSucceeded',
      'ParseGrant',
      'LoadSandboxConfig',
      'RunUntrusted',
      'Finalize',
      'Purge',
      'Outcome',
      'Done',
    ];
    for (let i = 0; i < happy.length - 1; i++) expect(successors(states[happy[i]!]!)).toContain(happy[i + 1]);
    expect(states.Done).toMatchObject({
      Type: 'Pass',
      End: true,
      Parameters: {
        'runId.$': '$$.Execution.Name',
        status: 'SUCCEEDED',
        'resultKey.$': "States.Format('results/{}/report.json', $$.Execution.Name)",
      },
    });
    expect(happy.length).toBeLessThanOrEqual(12);
  });

  it('encrypts execution data with a customer key, logs without execution data to an encrypted group, and traces', () => {
    expect(stateMachine).toMatchObject({
      EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY' },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
    const [, logGroup] = ofType('AWS::Logs::LogGroup')[0]!;
    expect(logGroup.Properties).toHaveProperty('KmsKeyId');
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('execution role', () => {
  const [roleId, role] = ofType('AWS::IAM::Role')[0]!;
  const statements = ofType('AWS::IAM::Policy').flatMap(
    ([, p]) => (p.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
  );

  it('is the only role, named deterministically, and trusted only by Step Functions for this state machine', () => {
    expect(ofType('AWS::IAM::Role')).toHaveLength(1);
    expect(stateMachine.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(role.Properties.RoleName).toBe('airlock-example-orchestrator');
    expect(role.Properties.AssumeRolePolicyDocument).toEqual(EXAMPLE_ORCHESTRATOR_ROLE_TRUST);
  });

  it('may assume exactly the two target roles', () => {
    const assume = statements.filter((s) => JSON.stringify(s.Action).includes('sts:'));
    expect(assume).toEqual([
      { Sid: 'AssumeTheTwoTargetRoles', Action: 'sts:AssumeRole', Effect: 'Allow', Resource: [LAUNCHER, INVOKER] },
    ]);
  });

  it('has nothing for ECS, EventBridge, SSM, S3, DynamoDB or other state machines in this account', () => {
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    expect(actions.filter((a) => /^(ecs|events|ssm|s3|dynamodb|states|iam|lambda):/.test(a))).toEqual([]);
    expect(actions.every((a) => /^(sts:AssumeRole|kms:(Decrypt|GenerateDataKey)|logs:|xray:)/.test(a))).toBe(true);
  });

  it("may use the key only for this state machine's execution data and its log delivery", () => {
    const kms = statements.filter((s) => JSON.stringify(s.Action).includes('kms:'));
    expect(kms).toHaveLength(2);
    for (const s of kms) expect(s.Condition).toBeDefined();
    expect(JSON.stringify(kms[0]!.Condition)).toContain('stateMachine:airlock-example-analysis');
  });
});
