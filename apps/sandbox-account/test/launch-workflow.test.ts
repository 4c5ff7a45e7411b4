import { LAUNCH_CLEANUP_MAX_SECONDS } from '@airlock/contracts';
import { loadEnvironment, synthAccountStackForTest } from '@airlock/shared';
import { describe, expect, it } from 'vitest';
import { FIND_AND_STOP_STATES } from '../src/launch-workflow.js';
import { SandboxAccountStack } from '../src/sandbox-account-stack.js';

const airlock = loadEnvironment('example');
const { stack, template } = synthAccountStackForTest((app) => new SandboxAccountStack(app, { airlock }));
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

type State = Record<string, unknown> & { Type: string; Next?: string; End?: boolean; Default?: string };
const machine = (name: string) =>
  ofType('AWS::StepFunctions::StateMachine').find(([, r]) => r.Properties.StateMachineName === name)![1].Properties;
const launch = machine('airlock-example-launch');
/** The definition as ASL, each CDK reference left in place as the JSON of the reference (a string). */
function asl(definitionString: unknown): unknown {
  const resolved = stack.resolve(definitionString) as string | { 'Fn::Join': [string, unknown[]] };
  if (typeof resolved === 'string') return JSON.parse(resolved);
  const text = resolved['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : JSON.stringify(JSON.stringify(part)).slice(1, -1)))
    .join('');
  return JSON.parse(text);
}
const definition = asl(launch.DefinitionString) as {
  StartAt: string;
  States: Record<string, State>;
};
const states = definition.States;

function successors(state: State): string[] {
  const choices = ((state.Choices as Array<{ Next: string }> | undefined) ?? []).map((c) => c.Next);
  const catches = ((state.Catch as Array<{ Next: string }> | undefined) ?? []).map((c) => c.Next);
  return [state.Next, ...choices, state.Default, ...catches].filter((s): s is string => typeof s === 'string');
}
function reachable(from: string): Set<string> {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...successors(states[name]!));
  }
  return seen;
}

describe('launch workflow', () => {
  it('is a Standard, JSONPath workflow with no machine-level timeout and a customer key', () => {
    expect(launch).toMatchObject({
      StateMachineType: 'STANDARD',
      EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY' },
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
    });
    expect(definition).not.toHaveProperty('TimeoutSeconds');
    expect(JSON.stringify(definition)).not.toMatch(/\{%|"Arguments"|"Assign"/);
  });

  it('checks every request field is present and a string before anything runs', () => {
    expect(definition.StartAt).toBe('CheckRequest');
    const check = states.CheckRequest as unknown as { Choices: Array<Record<string, unknown>>; Default: string };
    for (const field of ['inputUrl', 'outputPost', 'deadline']) {
      expect(check.Choices).toContainEqual({ Variable: `$.${field}`, IsPresent: false, Next: 'RequestRejected' });
      expect(check.Choices).toContainEqual({
        Not: { Variable: `$.${field}`, IsString: true },
        Next: 'RequestRejected',
      });
    }
    expect(check.Default).toBe('RunTask');
    expect(states.RequestRejected).toMatchObject({
      Parameters: { outcome: 'REQUEST_REJECTED', containers: [] },
      End: true,
    });
  });

  it('runs a fixed shape: cluster, one revision, FARGATE, own subnets and group, no public IP, StartedBy = execution', () => {
    const run = states.RunTask!;
    expect(run).toMatchObject({
      Resource: 'arn:aws:states:::ecs:runTask.sync',
      TimeoutSeconds: 300 + 180,
      ResultSelector: {
        outcome: 'TASK_STOPPED',
        'containers.$': '$.Containers',
        'stoppedReason.$': '$.StoppedReason',
      },
      End: true,
    });
    const parameters = run.Parameters as Record<string, unknown>;
    expect(Object.keys(parameters).sort()).toEqual(
      ['Cluster', 'LaunchType', 'NetworkConfiguration', 'Overrides', 'StartedBy.$', 'TaskDefinition'].sort(),
    );
    expect(parameters).toMatchObject({ LaunchType: 'FARGATE', 'StartedBy.$': '$$.Execution.Name' });
    // Every value is a literal or CDK reference, never a path into the request.
    const { Overrides: _overrides, ...shape } = parameters;
    expect(JSON.stringify(shape)).not.toMatch(/"\$\.[a-z]/);
    expect(JSON.stringify(parameters.TaskDefinition)).not.toContain(':*');
    expect((parameters.NetworkConfiguration as { AwsvpcConfiguration: object }).AwsvpcConfiguration).toMatchObject({
      AssignPublicIp: 'DISABLED',
    });
  });

  it('overrides only the containers environment, and gives a URL only to fetch and deliver', () => {
    const overrides = (states.RunTask!.Parameters as { Overrides: { ContainerOverrides: unknown[] } }).Overrides;
    expect(Object.keys(overrides)).toEqual(['ContainerOverrides']);
    expect(overrides.ContainerOverrides).toEqual([
      {
        Name: 'fetch',
        Environment: [
          { Name: 'INPUT_URL', 'Value.$': '$.inputUrl' },
          { Name: 'RUN_ID', 'Value.$': '$$.Execution.Name' },
          { Name: 'RUN_DEADLINE', 'Value.$': '$.deadline' },
        ],
      },
      { Name: 'run', Environment: [{ Name: 'RUN_DEADLINE', 'Value.$': '$.deadline' }] },
      {
        Name: 'deliver',
        Environment: [
          { Name: 'OUTPUT_POST', 'Value.$': '$.outputPost' },
          { Name: 'RUN_ID', 'Value.$': '$$.Execution.Name' },
        ],
      },
    ]);
  });

  it('sends every failure path of the task, timeout included, through find-and-stop', () => {
    const runCatch = states.RunTask!.Catch as Array<{ ErrorEquals: string[]; Next: string }>;
    // States.ALL matches States.Timeout: the timeout path is this Catch.
    expect(runCatch.map((c) => c.ErrorEquals)).toEqual([['States.ALL']]);
    const stopStates = new Set<string>(FIND_AND_STOP_STATES);
    for (const [name, state] of Object.entries(states)) {
      if (stopStates.has(name)) continue;
      for (const c of (state.Catch as Array<{ Next: string }> | undefined) ?? []) {
        const after = reachable(c.Next);
        for (const needed of ['FindTask', 'StopTask', 'DescribeTask', 'TaskStopped'])
          expect(after.has(needed), `${name} catch -> ${c.Next} reaches ${needed}`).toBe(true);
      }
    }
    expect(states.LaunchFailed).toEqual(
      expect.objectContaining({ Parameters: { 'error.$': '$.failure.Error', checks: 0 } }),
    );
    expect(states.FindTask).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:ecs:listTasks',
      Parameters: { 'StartedBy.$': '$$.Execution.Name', DesiredStatus: 'RUNNING' },
    });
    expect(states.StopTask).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:ecs:stopTask' });
    expect(states.WaitForStop).toMatchObject({ Type: 'Wait', Seconds: 5 });
    expect((states.TaskStopped as unknown as { Choices: unknown[] }).Choices).toContainEqual({
      Variable: '$.checks',
      NumericGreaterThanEquals: 30,
      Next: 'TaskNotStopped',
    });
    expect(states.ReportLaunchFailed).toMatchObject({
      Parameters: { outcome: 'LAUNCH_FAILED', containers: [], 'error.$': '$.error' },
      End: true,
    });
  });

  it('finds and stops the task within LAUNCH_CLEANUP_MAX_SECONDS, every check and ECS call at its worst', () => {
    type Retrier = { IntervalSeconds: number; BackoffRate: number; MaxAttempts: number };
    /** Every attempt runs to the state's time limit, with each retrier's waits between them. */
    const callWorst = (name: string) => {
      const state = states[name]!;
      expect(state.TimeoutSeconds, `${name} has a time limit`).toEqual(expect.any(Number));
      const retriers = (state.Retry as Retrier[] | undefined) ?? [];
      const attempts = 1 + retriers.reduce((n, r) => n + r.MaxAttempts, 0);
      const waits = retriers.flatMap((r) =>
        Array.from({ length: r.MaxAttempts }, (_, i) => r.IntervalSeconds * r.BackoffRate ** i),
      );
      return attempts * (state.TimeoutSeconds as number) + waits.reduce((a, b) => a + b, 0);
    };
    const limit = (states.TaskStopped!.Choices as Array<{ Variable?: string; NumericGreaterThanEquals?: number }>).find(
      (c) => c.Variable === '$.checks',
    )!.NumericGreaterThanEquals!;
    const wait = states.WaitForStop!.Seconds as number;
    // A describe at each check count from 0 to the limit, one stop, a find before it and one after.
    const worst = (limit + 1) * (wait + callWorst('DescribeTask')) + callWorst('StopTask') + 2 * callWorst('FindTask');
    expect(worst).toBeLessThanOrEqual(LAUNCH_CLEANUP_MAX_SECONDS);
  });

  it('retries only refusals of the RunTask call, never a started task that failed or timed out', () => {
    const retry = states.RunTask!.Retry as Array<{ ErrorEquals: string[]; MaxAttempts: number }>;
    const retried = retry.flatMap((r) => r.ErrorEquals);
    expect(retried.length).toBeGreaterThan(0);
    // A retry of a started task would start a second task holding the same URLs.
    // A server error does not prove no task was created: only throttling is retried.
    expect(retried).toEqual(['ECS.ThrottlingException']);
    for (const r of retry) expect(r.MaxAttempts).toBeLessThanOrEqual(3);
  });

  it('takes 2 state transitions on the happy path', () => {
    const happy = ['CheckRequest', 'RunTask'];
    expect(successors(states.CheckRequest!)).toContain('RunTask');
    expect(states.RunTask!.End).toBe(true);
    expect(happy).toHaveLength(2);
  });
});

describe('launch workflow role', () => {
  const roleId = (launch.RoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  const role = resources[roleId]!.Properties;
  const inline = (role.Policies as Array<{ PolicyDocument: { Statement: Array<Record<string, unknown>> } }>)[0]!
    .PolicyDocument.Statement;
  const bySid = (sid: string) => inline.find((s) => s.Sid === sid)!;

  it('is trusted by Step Functions only for this state machine in this account', () => {
    expect(role.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Principal: { Service: 'states.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '222222222222' },
            ArnEquals: { 'aws:SourceArn': 'arn:aws:states:eu-west-1:222222222222:stateMachine:airlock-example-launch' },
          },
        },
      ],
    });
  });

  it('runs only the one revision on the cluster and passes only the execution role, only to ECS tasks', () => {
    expect(bySid('RunTheOneRevision')).toMatchObject({
      Action: 'ecs:RunTask',
      Resource: { Ref: expect.stringMatching(/^RunnerTaskDefinition/) },
      Condition: { ArnEquals: { 'ecs:cluster': expect.anything() } },
    });
    expect(bySid('PassExecutionRoleToEcs')).toMatchObject({
      Action: 'iam:PassRole',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RunnerExecutionRole/), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
    expect(bySid('SyncRunTaskEvents').Action).toEqual(['events:PutTargets', 'events:PutRule', 'events:DescribeRule']);
    expect(JSON.stringify(bySid('SyncRunTaskEvents').Resource)).toMatch(
      /:events:eu-west-1:222222222222:rule\/StepFunctionsGetEventsForECSTaskRule"\]\]\}$/,
    );
    for (const sid of ['WatchAndStopRunnerTasks', 'FindRunnerTasks'])
      expect(bySid(sid).Condition).toEqual({ ArnEquals: { 'ecs:cluster': expect.anything() } });
    expect(inline).toHaveLength(5);
  });
});

describe('abort reaper', () => {
  it('reacts to the launch workflow ending ABORTED, TIMED_OUT or FAILED by starting the reaper', () => {
    const [, rule] = ofType('AWS::Events::Rule')[0]!;
    expect(rule.Properties).toMatchObject({
      Name: 'airlock-example-launch-reaper',
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: ['arn:aws:states:eu-west-1:222222222222:stateMachine:airlock-example-launch'],
          status: ['ABORTED', 'TIMED_OUT', 'FAILED'],
        },
      },
    });
    const [target] = rule.Properties.Targets as Array<Record<string, unknown>>;
    expect(target!.Arn).toEqual({ Ref: expect.stringMatching(/^LaunchReaperStateMachine/) });
    expect(JSON.stringify(target!.InputTransformer)).toContain('$.detail.name');
  });

  it('lists the tasks started by that execution and stops each', () => {
    const reaper = machine('airlock-example-launch-reaper');
    expect(reaper.StateMachineType).toBe('EXPRESS');
    const reaperAsl = asl(reaper.DefinitionString) as { States: Record<string, State> };
    expect(reaperAsl.States.FindTasks).toMatchObject({
      Parameters: { 'StartedBy.$': '$.executionName', DesiredStatus: 'RUNNING' },
      Next: 'StopEach',
    });
    expect(JSON.stringify(reaperAsl.States.StopEach)).toContain('aws-sdk:ecs:stopTask');
  });
});
