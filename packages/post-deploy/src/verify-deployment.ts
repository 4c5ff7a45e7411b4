import { GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { DescribeStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import {
  dataInvokerRoleName,
  dataPlaneStateMachineArn,
  launchConfigParameterName,
  sandboxLauncherRoleName,
  LAUNCH_CONFIG_FIELDS,
  type Env,
} from '@airlock/contracts';

export interface VerifyClients {
  readonly iam: IAMClient;
  readonly sfn: SFNClient;
  readonly ssm: SSMClient;
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
  if (account === 'data') {
    const machine = await clients.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: dataPlaneStateMachineArn(env) }),
    );
    if (machine.type !== 'EXPRESS') throw new Error(`${dataPlaneStateMachineArn(env)} is ${machine.type}, not EXPRESS`);
    found.push(`state machine ${machine.name} exists (EXPRESS)`);
  } else {
    const parameter = await clients.ssm.send(new GetParameterCommand({ Name: launchConfigParameterName(env) }));
    const config = JSON.parse(parameter.Parameter?.Value ?? '{}') as Record<string, unknown>;
    for (const key of LAUNCH_CONFIG_FIELDS) {
      if (!(key in config)) throw new Error(`launch config ${launchConfigParameterName(env)} lacks ${key}`);
    }
    found.push(`launch config ${launchConfigParameterName(env)} is complete`);
  }
  return found;
}
