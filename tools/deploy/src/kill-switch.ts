import { ListStackResourcesCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  DeleteRolePolicyCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  accountStackName,
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

/** Turns the kill switch on (puts the deny, then reads it back) or off (removes it). Resolves to what it did. */
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
      await clients.iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }));
    } catch (error) {
      if ((error as Error).name !== 'NoSuchEntityException') throw error;
      return `kill switch was already off on role ${RoleName}`;
    }
    return `kill switch off: removed ${PolicyName} from role ${RoleName}`;
  }
  const document = JSON.stringify(killSwitchPolicyDocument(account));
  await clients.iam.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument: document }));
  const stored = await clients.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }));
  if (JSON.stringify(JSON.parse(decodeURIComponent(stored.PolicyDocument ?? '{}'))) !== document)
    throw new Error(
      `role ${RoleName} does not hold the kill switch policy after writing it. Fix: run the command again`,
    );
  const denied = killSwitchPolicyDocument(account)
    .Statement.flatMap((s) => s.Action)
    .join(', ');
  return `kill switch on: role ${RoleName} is denied ${denied} (IAM applies it within seconds; runs in flight still end)`;
}
