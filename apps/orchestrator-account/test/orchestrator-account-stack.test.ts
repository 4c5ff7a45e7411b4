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
const LAUNCH = 'arn:aws:states:eu-west-1:222222222222:stateMachine:airlock-example-launch';
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
            ErrorEquals: ['Sfn.SdkClientException', 'Sfn.ThrottlingException'],
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

  it('starts the sandbox launch workflow with the launcher role, Name = run ID, only the three request strings', () => {
    expect(states.RunUntrusted).toEqual({
      Type: 'Task',
      QueryLanguage: 'JSONPath',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Credentials: { RoleArn: LAUNCHER },
      // RunTask refusals retried (3 x (60 s call + 2/4/8 s wait)), + run timeout + start margin, + the launch
      // workflow's find-and-stop (31 waits of 5 s and 34 ECS calls of 4 attempts x 10 s with 1/2/4 s waits between),
      // + 60 s polling lag
      TimeoutSeconds: 3 * 60 + 2 + 4 + 8 + 300 + 180 + (31 * 5 + 34 * (4 * 10 + 1 + 2 + 4)) + 60,
      Parameters: {
        StateMachineArn: LAUNCH,
        'Name.$': '$$.Execution.Name',
        Input: {
          'inputUrl.$': '$.finalize.task.inputUrl',
          'outputPost.$': '$.finalize.task.outputPost',
          'deadline.$': '$.finalize.task.deadline',
        },
      },
      ResultSelector: { action: 'finalize', 'runId.$': '$$.Execution.Name', 'task.$': '$.Output' },
      ResultPath: '$.finalize',
      Retry: [
        {
          ErrorEquals: ['Sfn.SdkClientException', 'Sfn.ThrottlingException'],
          IntervalSeconds: 1,
          BackoffRate: 2,
          MaxAttempts: 3,
          JitterStrategy: 'FULL',
        },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.launchError', Next: 'LaunchFailed' }],
      Next: 'Finalize',
    });
  });

  it('chooses nothing about the task: no cluster, revision, network, role, CPU, memory or count', () => {
    const hop = JSON.stringify(states.RunUntrusted);
    for (const field of [
      'Cluster',
      'TaskDefinition',
      'NetworkConfiguration',
      'Subnets',
      'SecurityGroups',
      'TaskRoleArn',
      'ExecutionRoleArn',
      'Cpu',
      'Memory',
      'Count',
      'Overrides',
      'LaunchType',
      'CapacityProvider',
    ])
      expect(hop).not.toContain(`"${field}`);
    expect(JSON.stringify(definition)).not.toMatch(/ecs:|ssm:/);
  });

  it('drops the presigned URLs from state as soon as RunUntrusted has them', () => {
    // The grant lives only at $.finalize.task: written by ParseGrant, overwritten by RunUntrusted's result, or
    // dropped with the error's Cause by LaunchFailed, which rebuilds the whole state.
    expect(states.ParseGrant).toMatchObject({
      Parameters: { finalize: { 'task.$': 'States.StringToJson($.prepare.Output)' } },
    });
    expect(Object.keys(states.ParseGrant!.Parameters as object)).toEqual(['finalize', 'purge.$']);
    expect(states.RunUntrusted).toMatchObject({ ResultPath: '$.finalize' });
    expect(states.LaunchFailed).toEqual({
      Type: 'Pass',
      QueryLanguage: 'JSONPath',
      Parameters: {
        finalize: { action: 'finalize', 'runId.$': '$$.Execution.Name', task: { 'Error.$': '$.launchError.Error' } },
        'purge.$': '$.purge',
      },
      Next: 'Finalize',
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
    for (const name of ['Prepare', 'RunUntrusted', 'Finalize', 'Purge']) {
      expect((states[name]!.Catch as Array<{ ErrorEquals: string[] }>).map((c) => c.ErrorEquals)).toEqual([
        ['States.ALL'],
      ]);
    }
  });

  it('takes 9 state transitions on the happy path, 11 with the launch workflow (budget: 16)', () => {
    const happy = [
      'Start',
      'Prepare',
      'PrepareSucceeded',
      'ParseGrant',
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
    // The launch workflow's happy path (CheckRequest, RunTask) is walked in the sandbox app's tests: 2 transitions.
    const launchHappyPath = 2;
    expect(happy.length + launchHappyPath).toBeLessThanOrEqual(16);
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

  it('is the only role besides the canary’s, named deterministically, and trusted only by Step Functions for this state machine', () => {
    expect(ofType('AWS::IAM::Role').map(([, r]) => r.Properties.RoleName)).toEqual([
      'airlock-example-orchestrator',
      'airlock-example-orchestrator-canary',
    ]);
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

describe('canary role', () => {
  const canary = ofType('AWS::IAM::Role').find(
    ([, r]) => r.Properties.RoleName === 'airlock-example-orchestrator-canary',
  )!;
  const [, role] = canary;

  it('is trusted only by the <env>-canary GitHub environment, through the account’s OIDC provider', () => {
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: {
            Federated: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
          },
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': 'repo:example-org/airlock:environment:example-canary',
            },
          },
        },
      ],
    });
  });

  it('may start the analysis workflow and follow canary- executions, nothing else (no KMS)', () => {
    expect(role.Properties.Policies).toEqual([
      {
        PolicyName: 'start-and-follow-canary-runs',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'StartTheAnalysisWorkflow',
              Effect: 'Allow',
              Action: 'states:StartExecution',
              Resource: 'arn:aws:states:eu-west-1:111111111111:stateMachine:airlock-example-analysis',
            },
            {
              Sid: 'FollowCanaryExecutions',
              Effect: 'Allow',
              Action: ['states:DescribeExecution', 'states:GetExecutionHistory'],
              Resource: 'arn:aws:states:eu-west-1:111111111111:execution:airlock-example-analysis:canary-*',
            },
          ],
        },
      },
    ]);
  });

  it('does not exist when the environment names no GitHub repository', () => {
    const { template: without } = synthAccountStackForTest(
      (app) => new OrchestratorAccountStack(app, { airlock: { ...airlock, github: undefined } }),
    );
    const names = Object.values(without.findResources('AWS::IAM::Role')).map(
      (r) => (r as { Properties: { RoleName?: string } }).Properties.RoleName,
    );
    expect(names).toEqual(['airlock-example-orchestrator']);
  });
});

describe("the workflow's key: its history holds the runs' presigned URLs", () => {
  it('lets no principal of the account decrypt but the execution role and the configured readers', () => {
    const withReader = { ...airlock, historyReaders: { orchestrator: ['operator'], sandbox: [] } };
    const synthesized = synthAccountStackForTest((app) => new OrchestratorAccountStack(app, { airlock: withReader }));
    const [[, key]] = Object.entries(
      synthesized.template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    ).filter(([, r]) => r.Type === 'AWS::KMS::Key') as unknown as [[string, { Properties: { KeyPolicy: unknown } }]];
    const statements = (synthesized.stack.resolve(key.Properties.KeyPolicy) as { Statement: Array<{ Sid?: string }> })
      .Statement;
    expect(statements.find((st) => st.Sid === 'DecryptOnlyByNamedReaders')).toEqual({
      Sid: 'DecryptOnlyByNamedReaders',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      Resource: '*',
      Condition: {
        ArnNotEquals: {
          'aws:PrincipalArn': [
            { 'Fn::GetAtt': [expect.stringMatching(/^ExecutionRole/), 'Arn'] },
            'arn:aws:iam::111111111111:role/operator',
          ],
        },
        Bool: { 'aws:PrincipalIsAWSService': 'false' },
      },
    });
  });
});
