import { describe, expect, it } from 'vitest';
import { resolveIntrinsics, type TemplateContext } from '../src/resolve-intrinsics.js';

const ctx: TemplateContext = {
  accountId: '222222222222',
  region: 'eu-west-1',
  partition: 'aws',
  stackName: 'airlock-example-sandbox',
  resources: {
    Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { Family: 'airlock-example-runner' } },
    Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: 'airlock-example-sandbox' } },
    Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'airlock-example-launch' } },
  },
};

describe('Ref, as CloudFormation answers it', () => {
  it("is the ARN of a task definition's revision (RunTask and IAM name it so), not a name", () => {
    expect(resolveIntrinsics({ Ref: 'Task' }, ctx)).toBe(
      'arn:aws:ecs:eu-west-1:222222222222:task-definition/airlock-example-runner:1',
    );
  });

  it('is the ARN of a state machine and the name of a cluster', () => {
    expect(resolveIntrinsics({ Ref: 'Machine' }, ctx)).toBe(
      'arn:aws:states:eu-west-1:222222222222:stateMachine:airlock-example-launch',
    );
    expect(resolveIntrinsics({ Ref: 'Cluster' }, ctx)).toBe('airlock-example-sandbox');
  });
});
