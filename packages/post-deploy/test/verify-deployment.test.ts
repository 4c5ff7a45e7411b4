import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { loadEnvironment } from '@airlock/shared/environment';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { verifyDeployment } from '../src/verify-deployment.js';

const env = loadEnvironment('example');
// IAM returns trust policies URL-encoded.
const trustWithExternalId = encodeURIComponent(
  JSON.stringify({ Statement: [{ Condition: { StringEquals: { 'sts:ExternalId': 'arn' } } }] }),
);

function clients() {
  const c = {
    iam: new IAMClient({ region: env.region }),
    sfn: new SFNClient({ region: env.region }),
    ssm: new SSMClient({ region: env.region }),
  };
  return { c, iam: mockClient(c.iam), sfn: mockClient(c.sfn), ssm: mockClient(c.ssm) };
}

describe('verifyDeployment', () => {
  it("confirms the data account's invoker role and Express state machine under their expected names", async () => {
    const { c, iam, sfn } = clients();
    iam
      .on(GetRoleCommand, { RoleName: 'airlock-example-data-invoker' })
      .resolves({ Role: { AssumeRolePolicyDocument: trustWithExternalId } as never });
    sfn
      .on(DescribeStateMachineCommand, {
        stateMachineArn: 'arn:aws:states:eu-west-1:333333333333:stateMachine:airlock-example-data-plane',
      })
      .resolves({ name: 'airlock-example-data-plane', type: 'EXPRESS' } as never);
    expect(await verifyDeployment(env, 'data', c)).toEqual([
      'role airlock-example-data-invoker exists and requires an ExternalId',
      'state machine airlock-example-data-plane exists (EXPRESS)',
    ]);
  });

  it('confirms the sandbox launcher role and a complete launch config', async () => {
    const { c, iam, ssm } = clients();
    iam
      .on(GetRoleCommand, { RoleName: 'airlock-example-sandbox-launcher' })
      .resolves({ Role: { AssumeRolePolicyDocument: trustWithExternalId } as never });
    ssm.on(GetParameterCommand, { Name: '/airlock/example/sandbox/launch-config' }).resolves({
      Parameter: {
        Value: JSON.stringify({
          clusterArn: 'a',
          taskDefinitionFamily: 'f',
          containerName: 'runner',
          subnets: [],
          securityGroups: [],
        }),
      },
    });
    expect(await verifyDeployment(env, 'sandbox', c)).toEqual([
      'role airlock-example-sandbox-launcher exists and requires an ExternalId',
      'launch config /airlock/example/sandbox/launch-config is complete',
    ]);
  });

  it('fails when the deployed trust has no ExternalId, the workflow is not Express, or the launch config is incomplete', async () => {
    const bad = clients();
    bad.iam
      .on(GetRoleCommand)
      .resolves({ Role: { AssumeRolePolicyDocument: encodeURIComponent('{"Statement":[]}') } as never });
    await expect(verifyDeployment(env, 'data', bad.c)).rejects.toThrow(
      'role airlock-example-data-invoker has no ExternalId condition',
    );

    const standard = clients();
    standard.iam.on(GetRoleCommand).resolves({ Role: { AssumeRolePolicyDocument: trustWithExternalId } as never });
    standard.sfn.on(DescribeStateMachineCommand).resolves({ name: 'x', type: 'STANDARD' } as never);
    await expect(verifyDeployment(env, 'data', standard.c)).rejects.toThrow(/is STANDARD, not EXPRESS/);

    const partial = clients();
    partial.iam.on(GetRoleCommand).resolves({ Role: { AssumeRolePolicyDocument: trustWithExternalId } as never });
    partial.ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '{"clusterArn":"a"}' } });
    await expect(verifyDeployment(env, 'sandbox', partial.c)).rejects.toThrow(
      'launch config /airlock/example/sandbox/launch-config lacks taskDefinitionFamily',
    );
  });
});
