import { GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { DescribeStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import {
  dataInvokerRoleName,
  dataPlaneStateMachineArn,
  launchStateMachineArn,
  sandboxLauncherRoleName,
  type Env,
} from '@airlock/contracts';

export interface VerifyClients {
  readonly iam: IAMClient;
  readonly sfn: SFNClient;
}

/**
 * After a deploy of the sandbox or data app: the names the orchestrator relies on exist as expected. (The
 * orchestrator's own check is `verifyTargetTrust`.) Resolves to one line per check; throws on the first miss.
 */
export async function verifyDeployment(
  env: Env,
  account: 'sandbox' | 'data',
  clients: VerifyClients,
): Promise<string[]> {
  const found: string[] = [];
  const roleName = account === 'sandbox' ? sandboxLauncherRoleName(env) : dataInvokerRoleName(env);
  const role = await clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
  if (!role.Role?.AssumeRolePolicyDocument?.includes('sts%3AExternalId'))
    throw new Error(`role ${roleName} has no ExternalId condition`);
  found.push(`role ${roleName} exists and requires an ExternalId`);
  // The data plane is started synchronously (Express); the launch workflow with `.sync:2` (Standard).
  const [machineArn, type] =
    account === 'data' ? [dataPlaneStateMachineArn(env), 'EXPRESS'] : [launchStateMachineArn(env), 'STANDARD'];
  const machine = await clients.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }));
  if (machine.type !== type) throw new Error(`${machineArn} is ${machine.type}, not ${type}`);
  found.push(`state machine ${machine.name} exists (${type})`);
  return found;
}
