import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  DeleteRolePolicyCommand,
  GetRolePolicyCommand,
  IAMClient,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { loadEnvironment } from '@airlock/shared/environment';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { killSwitchPolicyDocument } from '@airlock/contracts';
import { setKillSwitch } from '../src/kill-switch.js';

const env = loadEnvironment('example');

/** IAM inline policies kept in a map, as IAM would (GetRolePolicy answers URL-encoded). */
function fakeAccount() {
  const clients = {
    iam: new IAMClient({ region: env.region }),
    cloudFormation: new CloudFormationClient({ region: env.region }),
  };
  const inline = new Map<string, string>();
  const key = (i: { RoleName?: string; PolicyName?: string }) => `${i.RoleName}/${i.PolicyName}`;
  const iam = mockClient(clients.iam);
  iam.on(PutRolePolicyCommand).callsFake((i) => void inline.set(key(i), i.PolicyDocument));
  iam.on(GetRolePolicyCommand).callsFake((i) => {
    const document = inline.get(key(i));
    if (!document) throw new NoSuchEntityException({ message: 'no such policy', $metadata: {} });
    return { PolicyDocument: encodeURIComponent(document) };
  });
  iam.on(DeleteRolePolicyCommand).callsFake((i) => {
    if (!inline.delete(key(i))) throw new NoSuchEntityException({ message: 'no such policy', $metadata: {} });
    return {};
  });
  const cloudFormation = mockClient(clients.cloudFormation);
  cloudFormation
    .on(ListStackResourcesCommand, { StackName: 'airlock-example-data', NextToken: undefined })
    .resolves({
      StackResourceSummaries: [
        {
          ResourceType: 'AWS::IAM::Role',
          LogicalResourceId: 'FinalizeRole856932A9',
          PhysicalResourceId: 'fin',
        } as never,
      ],
      NextToken: 'page-2',
    })
    .on(ListStackResourcesCommand, { StackName: 'airlock-example-data', NextToken: 'page-2' })
    .resolves({
      StackResourceSummaries: [
        {
          ResourceType: 'AWS::IAM::Role',
          LogicalResourceId: 'PrepareRole35546079',
          PhysicalResourceId: 'prep-x',
        } as never,
      ],
    });
  return { clients, inline, iam };
}

/** A Deny with these action patterns denies `action` (IAM's `*` glob, case-insensitive). */
const denies = (patterns: readonly string[], action: string) =>
  patterns.some((p) => new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`, 'i').test(action));

describe('kill switch', () => {
  it('sandbox: denies the launcher role every new launch, and nothing a run in flight needs to end', () => {
    const [statement] = killSwitchPolicyDocument('sandbox').Statement;
    expect(statement).toEqual({
      Sid: 'KillSwitchNoNewLaunches',
      Effect: 'Deny',
      Action: ['states:StartExecution'],
      Resource: '*',
    });
    for (const kept of [
      'ecs:DescribeTasks',
      'ecs:StopTask',
      'ecs:ListTasks',
      'states:DescribeExecution',
      'states:StopExecution',
      'kms:Decrypt',
    ])
      expect(denies(statement!.Action, kept)).toBe(false);
  });

  it("data: denies the prepare role the URL signer's assumption, and nothing finalize or purge use", () => {
    const [statement] = killSwitchPolicyDocument('data').Statement;
    expect(statement).toEqual({
      Sid: 'KillSwitchNoNewPrepares',
      Effect: 'Deny',
      Action: ['sts:AssumeRole'],
      Resource: '*',
    });
    for (const kept of [
      's3:GetObject',
      's3:DeleteObject',
      's3:PutObject',
      'dynamodb:UpdateItem',
      'states:StartSyncExecution',
    ])
      expect(denies(statement!.Action, kept)).toBe(false);
  });

  it('on puts the deny on the launcher role and reads it back; off removes it; off again says so', async () => {
    const { clients, inline } = fakeAccount();
    expect(await setKillSwitch(env, 'sandbox', 'on', clients)).toBe(
      'kill switch on: role airlock-example-sandbox-launcher is denied states:StartExecution (IAM applies it within seconds; runs in flight still end)',
    );
    expect(JSON.parse(inline.get('airlock-example-sandbox-launcher/airlock-example-kill-switch')!)).toEqual(
      killSwitchPolicyDocument('sandbox'),
    );
    expect(await setKillSwitch(env, 'sandbox', 'off', clients)).toBe(
      'kill switch off: removed airlock-example-kill-switch from role airlock-example-sandbox-launcher',
    );
    expect(inline.size).toBe(0);
    expect(await setKillSwitch(env, 'sandbox', 'off', clients)).toBe(
      'kill switch was already off on role airlock-example-sandbox-launcher',
    );
  });

  it("data: finds the prepare role in the data stack's resources (across pages) and puts the deny there", async () => {
    const { clients, inline } = fakeAccount();
    await setKillSwitch(env, 'data', 'on', clients);
    expect([...inline.keys()]).toEqual(['prep-x/airlock-example-kill-switch']);
    await setKillSwitch(env, 'data', 'off', clients);
    expect(inline.size).toBe(0);
  });

  it('fails when IAM does not hold the policy after writing it', async () => {
    const { clients, iam } = fakeAccount();
    iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: encodeURIComponent('{"Statement":[]}') });
    await expect(setKillSwitch(env, 'sandbox', 'on', clients)).rejects.toThrow(
      /does not hold the kill switch policy after writing it. Fix: run the command again/,
    );
  });

  it('fails naming the stack when the data stack has no prepare role', async () => {
    const { clients } = fakeAccount();
    mockClient(clients.cloudFormation).on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    await expect(setKillSwitch(env, 'data', 'on', clients)).rejects.toThrow(
      /stack airlock-example-data has no prepare role .* Fix: check AIRLOCK_ENV/,
    );
  });
});
