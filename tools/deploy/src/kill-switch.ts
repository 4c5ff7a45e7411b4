import { ListStackResourcesCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListAttachedRolePoliciesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  accountStackName,
  killSwitchPolicyArn,
  killSwitchPolicyDocument,
  killSwitchPolicyName,
  sandboxLauncherRoleName,
  type KillSwitchAccount,
} from '@airlock/contracts';
import type { AirlockEnvironment } from '@airlock/shared/environment';

/** The prepare function's role has a CDK-generated name; its logical ID in the data stack is stable. */
const PREPARE_ROLE_LOGICAL_ID = /^PrepareRole[0-9A-F]{8}$/;

export interface KillSwitchClients {
  readonly iam: IAMClient;
  readonly cloudFormation: CloudFormationClient;
}

/** The role the kill switch is put on: the sandbox launcher, or the data account's prepare function role. */
export async function killSwitchRoleName(
  env: AirlockEnvironment,
  account: KillSwitchAccount,
  clients: KillSwitchClients,
): Promise<string> {
  if (account === 'sandbox') return sandboxLauncherRoleName(env);
  const stackName = accountStackName(env, 'data');
  let nextToken: string | undefined;
  do {
    const page = await clients.cloudFormation.send(
      new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }),
    );
    const role = page.StackResourceSummaries?.find(
      (r) => r.ResourceType === 'AWS::IAM::Role' && PREPARE_ROLE_LOGICAL_ID.test(r.LogicalResourceId ?? ''),
    );
    if (role?.PhysicalResourceId) return role.PhysicalResourceId;
    nextToken = page.NextToken;
  } while (nextToken);
  throw new Error(
    `stack ${stackName} has no prepare role (logical ID PrepareRole…). Fix: check AIRLOCK_ENV and that the data app is deployed`,
  );
}

const isNoSuchEntity = (error: unknown) => (error as Error).name === 'NoSuchEntityException';

/**
 * Makes the account's kill-switch policy hold exactly the deny: creates it, or, if it exists with another document
 * (whoever wrote it), adds the deny as its default version.
 */
async function ensureKillSwitchPolicy(
  env: AirlockEnvironment,
  account: KillSwitchAccount,
  iam: IAMClient,
): Promise<string> {
  const PolicyArn = killSwitchPolicyArn(env, account);
  const PolicyDocument = JSON.stringify(killSwitchPolicyDocument(account));
  let defaultVersion: string | undefined;
  try {
    defaultVersion = (await iam.send(new GetPolicyCommand({ PolicyArn }))).Policy?.DefaultVersionId;
  } catch (error) {
    if (!isNoSuchEntity(error)) throw error;
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: killSwitchPolicyName(env),
        PolicyDocument,
        Description: 'Airlock incident kill switch: attached, no new runs start; detached, they do again',
      }),
    );
    return PolicyArn;
  }
  const stored = await iam.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: defaultVersion }));
  if (JSON.stringify(JSON.parse(decodeURIComponent(stored.PolicyVersion?.Document ?? '{}'))) !== PolicyDocument)
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument, SetAsDefault: true }));
  return PolicyArn;
}

/** Turns the kill switch on (attaches the deny, then reads it back) or off (detaches it). Resolves to what it did. */
export async function setKillSwitch(
  env: AirlockEnvironment,
  account: KillSwitchAccount,
  state: 'on' | 'off',
  clients: KillSwitchClients,
): Promise<string> {
  const RoleName = await killSwitchRoleName(env, account, clients);
  const PolicyName = killSwitchPolicyName(env);
  if (state === 'off') {
    try {
      await clients.iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: killSwitchPolicyArn(env, account) }));
    } catch (error) {
      if (!isNoSuchEntity(error)) throw error;
      return `kill switch was already off on role ${RoleName}`;
    }
    return `kill switch off: detached ${PolicyName} from role ${RoleName}`;
  }
  const PolicyArn = await ensureKillSwitchPolicy(env, account, clients.iam);
  await clients.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
  const attached = await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName }));
  if (!attached.AttachedPolicies?.some((p) => p.PolicyArn === PolicyArn))
    throw new Error(
      `role ${RoleName} does not hold the kill switch policy after attaching it. Fix: run the command again`,
    );
  const denied = killSwitchPolicyDocument(account)
    .Statement.flatMap((s) => s.Action)
    .join(', ');
  return `kill switch on: role ${RoleName} is denied ${denied} (IAM applies it within seconds; runs in flight still end)`;
}
