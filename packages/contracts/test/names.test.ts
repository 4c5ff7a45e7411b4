import { describe, expect, it } from 'vitest';
import * as names from '../src/names.js';

const exampleEnv: names.Env = {
  prefix: 'airlock',
  environment: 'example',
  region: 'eu-west-1',
  partition: 'aws',
  accounts: { orchestrator: '111111111111', sandbox: '222222222222', data: '333333333333' },
};

describe('deterministic names', () => {
  it('names every cross-account resource <prefix>-<env>-<component>', () => {
    expect(names.orchestratorRoleName(exampleEnv)).toBe('airlock-example-orchestrator');
    expect(names.analysisStateMachineName(exampleEnv)).toBe('airlock-example-analysis');
    expect(names.sandboxLauncherRoleName(exampleEnv)).toBe('airlock-example-sandbox-launcher');
    expect(names.sandboxClusterName(exampleEnv)).toBe('airlock-example-sandbox');
    expect(names.runnerTaskDefinitionFamily(exampleEnv)).toBe('airlock-example-runner');
    expect(names.dataInvokerRoleName(exampleEnv)).toBe('airlock-example-data-invoker');
    expect(names.dataPlaneStateMachineName(exampleEnv)).toBe('airlock-example-data-plane');
    expect(names.dataBucketName(exampleEnv)).toBe('airlock-example-data-333333333333-eu-west-1');
    expect(names.runsTableName(exampleEnv)).toBe('airlock-example-runs');
    expect(names.launchStateMachineName(exampleEnv)).toBe('airlock-example-launch');
    expect(names.launchReaperStateMachineName(exampleEnv)).toBe('airlock-example-launch-reaper');
  });

  it('places each ARN in the account that owns the resource', () => {
    expect(names.orchestratorRoleArn(exampleEnv)).toBe('arn:aws:iam::111111111111:role/airlock-example-orchestrator');
    expect(names.analysisStateMachineArn(exampleEnv)).toBe(
      'arn:aws:states:eu-west-1:111111111111:stateMachine:airlock-example-analysis',
    );
    expect(names.sandboxLauncherRoleArn(exampleEnv)).toBe(
      'arn:aws:iam::222222222222:role/airlock-example-sandbox-launcher',
    );
    expect(names.launchStateMachineArn(exampleEnv)).toBe(
      'arn:aws:states:eu-west-1:222222222222:stateMachine:airlock-example-launch',
    );
    expect(names.launchExecutionArnPattern(exampleEnv)).toBe(
      'arn:aws:states:eu-west-1:222222222222:execution:airlock-example-launch:*',
    );
    expect(names.sandboxClusterArn(exampleEnv)).toBe(
      'arn:aws:ecs:eu-west-1:222222222222:cluster/airlock-example-sandbox',
    );
    expect(names.dataInvokerRoleArn(exampleEnv)).toBe('arn:aws:iam::333333333333:role/airlock-example-data-invoker');
    expect(names.dataPlaneStateMachineArn(exampleEnv)).toBe(
      'arn:aws:states:eu-west-1:333333333333:stateMachine:airlock-example-data-plane',
    );
    expect(names.dataBucketArn(exampleEnv)).toBe('arn:aws:s3:::airlock-example-data-333333333333-eu-west-1');
    expect(names.runsTableArn(exampleEnv)).toBe('arn:aws:dynamodb:eu-west-1:333333333333:table/airlock-example-runs');
    expect(names.accountRootArn(exampleEnv, '111111111111')).toBe('arn:aws:iam::111111111111:root');
  });

  it('uses the partition it is given', () => {
    const china = { ...exampleEnv, environment: 'prod', region: 'cn-north-1', partition: 'aws-cn' };
    expect(names.orchestratorRoleArn(china)).toBe('arn:aws-cn:iam::111111111111:role/airlock-prod-orchestrator');
    expect(names.analysisStateMachineArn(china)).toBe(
      'arn:aws-cn:states:cn-north-1:111111111111:stateMachine:airlock-prod-analysis',
    );
  });
});
