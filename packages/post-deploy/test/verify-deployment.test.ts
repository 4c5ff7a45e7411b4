import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
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
  };
  return { c, iam: mockClient(c.iam), sfn: mockClient(c.sfn) };
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

  it('confirms the sandbox launcher role and the Standard launch workflow', async () => {
    const { c, iam, sfn } = clients();
    iam
      .on(GetRoleCommand, { RoleName: 'airlock-example-sandbox-launcher' })
      .resolves({ Role: { AssumeRolePolicyDocument: trustWithExternalId } as never });
    sfn
      .on(DescribeStateMachineCommand, {
        stateMachineArn: 'arn:aws:states:eu-west-1:222222222222:stateMachine:airlock-example-launch',
      })
      .resolves({ name: 'airlock-example-launch', type: 'STANDARD' } as never);
    expect(await verifyDeployment(env, 'sandbox', c)).toEqual([
      'role airlock-example-sandbox-launcher exists and requires an ExternalId',
      'state machine airlock-example-launch exists (STANDARD)',
    ]);
  });

  it('fails when the deployed trust has no ExternalId, or a workflow has the wrong type', async () => {
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

    const express = clients();
    express.iam.on(GetRoleCommand).resolves({ Role: { AssumeRolePolicyDocument: trustWithExternalId } as never });
    express.sfn.on(DescribeStateMachineCommand).resolves({ name: 'x', type: 'EXPRESS' } as never);
    await expect(verifyDeployment(env, 'sandbox', express.c)).rejects.toThrow(/launch is EXPRESS, not STANDARD/);
  });
});
