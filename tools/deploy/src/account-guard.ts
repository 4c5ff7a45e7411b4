import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AccountRole, AirlockEnvironment } from '@airlock/shared/environment';
import { DeployRefused } from './deploy-refused.js';

/**
 * Refuses, before CDK runs, unless the caller's credentials belong to the account configured for this app in this
 * environment: a pipeline never deploys app X anywhere but X's account.
 */
export async function assertDeployAccount(
  sts: STSClient,
  env: AirlockEnvironment,
  account: AccountRole,
): Promise<string> {
  const expected = env.accounts[account];
  let actual: string | undefined;
  try {
    actual = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (error) {
    throw new DeployRefused(
      `refusing to deploy the ${account} app of environment "${env.environment}": no usable AWS credentials (${(error as Error).message}). Fix: assume the ${account} account's deploy role`,
    );
  }
  if (actual !== expected) {
    throw new DeployRefused(
      `refusing to deploy the ${account} app of environment "${env.environment}" into account ${actual ?? 'unknown'}: it belongs in account ${expected}. Fix: use the ${account} account's deploy role`,
    );
  }
  return expected;
}
