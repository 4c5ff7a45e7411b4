import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { loadEnvironment } from '@airlock/shared/environment';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { killSwitchPolicyDocument } from '@airlock/contracts';
import { setKillSwitch } from '../src/kill-switch.js';

const env = loadEnvironment('example');

const noSuchEntity = () => new NoSuchEntityException({ message: 'no such entity', $metadata: {} });

/**
 * IAM's managed policies (their versions) and role attachments kept in maps, as IAM would: policy ARNs from the
 * account (`arn:aws:iam::<account>:policy/<name>`), documents answered URL-encoded.
 */
function fakeAccount(accountId = env.accounts.sandbox) {
  const clients = {
    iam: new IAMClient({ region: env.region }),
    cloudFormation: new CloudFormationClient({ region: env.region }),
  };
  const versions = new Map<string, string[]>();
  const attached = new Map<string, Set<string>>();
  const iam = mockClient(clients.iam);
  iam.on(CreatePolicyCommand).callsFake((i) => {
    const arn = `arn:aws:iam::${accountId}:policy/${i.PolicyName}`;
    versions.set(arn, [i.PolicyDocument]);
    return { Policy: { Arn: arn } };
  });
  iam.on(GetPolicyCommand).callsFake((i) => {
    const policy = versions.get(i.PolicyArn);
    if (!policy) throw noSuchEntity();
    return { Policy: { Arn: i.PolicyArn, DefaultVersionId: `v${policy.length}` } };
  });
  iam.on(GetPolicyVersionCommand).callsFake((i) => ({
    PolicyVersion: { Document: encodeURIComponent(versions.get(i.PolicyArn)![Number(i.VersionId.slice(1)) - 1]!) },
  }));
  iam.on(CreatePolicyVersionCommand).callsFake((i) => void versions.get(i.PolicyArn)!.push(i.PolicyDocument));
  iam.on(AttachRolePolicyCommand).callsFake((i) => {
    if (!versions.has(i.PolicyArn)) throw noSuchEntity();
    attached.set(i.RoleName, new Set([...(attached.get(i.RoleName) ?? []), i.PolicyArn]));
  });
  iam.on(DetachRolePolicyCommand).callsFake((i) => {
    if (!attached.get(i.RoleName)?.delete(i.PolicyArn)) throw noSuchEntity();
  });
  iam.on(ListAttachedRolePoliciesCommand).callsFake((i) => ({
    AttachedPolicies: [...(attached.get(i.RoleName) ?? [])].map((PolicyArn) => ({ PolicyArn })),
  }));
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
  /** What a role is denied by attached kill-switch policies' default versions. */
  const deniedTo = (role: string) =>
    [...(attached.get(role) ?? [])].flatMap((arn) =>
      (JSON.parse(versions.get(arn)!.at(-1)!) as ReturnType<typeof killSwitchPolicyDocument>).Statement.flatMap(
        (s) => s.Action,
      ),
    );
  return { clients, versions, attached, deniedTo, iam };
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

  it('on attaches the deny to the launcher role and reads it back; off detaches it; off again says so', async () => {
    const { clients, versions, deniedTo } = fakeAccount();
    expect(await setKillSwitch(env, 'sandbox', 'on', clients)).toBe(
      'kill switch on: role airlock-example-sandbox-launcher is denied states:StartExecution (IAM applies it within seconds; runs in flight still end)',
    );
    expect(deniedTo('airlock-example-sandbox-launcher')).toEqual(['states:StartExecution']);
    expect(JSON.parse(versions.get('arn:aws:iam::222222222222:policy/airlock-example-kill-switch')![0]!)).toEqual(
      killSwitchPolicyDocument('sandbox'),
    );
    expect(await setKillSwitch(env, 'sandbox', 'off', clients)).toBe(
      'kill switch off: detached airlock-example-kill-switch from role airlock-example-sandbox-launcher',
    );
    expect(deniedTo('airlock-example-sandbox-launcher')).toEqual([]);
    expect(await setKillSwitch(env, 'sandbox', 'off', clients)).toBe(
      'kill switch was already off on role airlock-example-sandbox-launcher',
    );
    await setKillSwitch(env, 'sandbox', 'on', clients);
    expect(versions.get('arn:aws:iam::222222222222:policy/airlock-example-kill-switch')).toHaveLength(1);
    expect(deniedTo('airlock-example-sandbox-launcher')).toEqual(['states:StartExecution']);
  });

  it('on restores the deny when the policy exists with another document (a squatted or edited policy)', async () => {
    const { clients, versions, deniedTo } = fakeAccount();
    versions.set('arn:aws:iam::222222222222:policy/airlock-example-kill-switch', ['{"Statement":[]}']);
    await setKillSwitch(env, 'sandbox', 'on', clients);
    expect(deniedTo('airlock-example-sandbox-launcher')).toEqual(['states:StartExecution']);
  });

  it("data: finds the prepare role in the data stack's resources (across pages) and attaches the deny there", async () => {
    const { clients, deniedTo } = fakeAccount(env.accounts.data);
    await setKillSwitch(env, 'data', 'on', clients);
    expect(deniedTo('prep-x')).toEqual(['sts:AssumeRole']);
    await setKillSwitch(env, 'data', 'off', clients);
    expect(deniedTo('prep-x')).toEqual([]);
  });

  it('fails when the role does not hold the policy after attaching it', async () => {
    const { clients, iam } = fakeAccount();
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    await expect(setKillSwitch(env, 'sandbox', 'on', clients)).rejects.toThrow(
      /does not hold the kill switch policy after attaching it. Fix: run the command again/,
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
