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

describe('against a deployed stack (physical IDs from ListStackResources)', () => {
  const deployed: TemplateContext = {
    ...ctx,
    resources: {
      ...ctx.resources,
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
      Group: { Type: 'AWS::EC2::SecurityGroup', Properties: {} },
      Vpc: { Type: 'AWS::EC2::VPC', Properties: {} },
    },
    physicalIds: {
      Role: 'airlock-example-sandbox-Role-1A2B3C',
      Key: '1234abcd-0000-0000-0000-000000000001',
      Group: 'sg-0abc',
      Task: 'arn:aws:ecs:eu-west-1:222222222222:task-definition/airlock-example-runner:7',
    },
    attributes: { 'Vpc.DefaultSecurityGroup': 'sg-0default' },
  };

  it('resolves generated names, key IDs and revisions to the deployed ones, not the template-only guesses', () => {
    expect(
      resolveIntrinsics(
        [
          { Ref: 'Role' },
          { 'Fn::GetAtt': ['Role', 'Arn'] },
          { 'Fn::GetAtt': ['Key', 'Arn'] },
          { Ref: 'Task' },
          { 'Fn::GetAtt': ['Group', 'GroupId'] },
          { 'Fn::GetAtt': ['Vpc', 'DefaultSecurityGroup'] },
        ],
        deployed,
      ),
    ).toEqual([
      'airlock-example-sandbox-Role-1A2B3C',
      'arn:aws:iam::222222222222:role/airlock-example-sandbox-Role-1A2B3C',
      'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-0000-0000-0000-000000000001',
      'arn:aws:ecs:eu-west-1:222222222222:task-definition/airlock-example-runner:7',
      'sg-0abc',
      'sg-0default',
    ]);
  });

  it('leaves an attribute it was not given as <logicalId>.<attribute>, so a caller can tell it is unknown', () => {
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] }, deployed)).toBe('Vpc.CidrBlock');
  });
});
