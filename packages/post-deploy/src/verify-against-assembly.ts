import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { accountStackName } from '@airlock/contracts';
import type { AccountRole, AirlockEnvironment } from '@airlock/shared/environment';
import { checkedElsewhere } from './checked-elsewhere.js';
import { notChecked, runCheck, verified, type CheckResult } from './check-result.js';
import { readDeployedStack, type DeployedStack } from './deployed-stack.js';
import { verifyBucketPolicies } from './verify-bucket-policies.js';
import { verifyNetwork } from './verify-network.js';
import { verifyPrefixLists } from './verify-prefix-lists.js';
import { verifyRoles } from './verify-roles.js';
import { verifyStateMachines } from './verify-state-machines.js';
import { verifyTaskDefinitions } from './verify-task-definitions.js';

/** Read-only clients, all with the same credentials (in the deploy job: the account's CDK lookup role). */
export interface ReadClients {
  readonly cloudFormation: CloudFormationClient;
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly sfn: SFNClient;
}

/**
 * After a deploy, with read-only calls: the environment's prefix-list IDs, and each role, state machine, flow log,
 * bucket policy and task definition of the account's stack against the cloud assembly that was deployed
 * (`<workspaceRoot>/apps/<account>-account/cdk.out`); then the unverified items no read answers, as NOT CHECKED;
 * last, whether the reading role could read everything it was asked (itself unverified until a deploy).
 */
export async function verifyAgainstAssembly(
  env: AirlockEnvironment,
  account: AccountRole,
  workspaceRoot: string,
  clients: ReadClients,
): Promise<CheckResult[]> {
  const results = await verifyPrefixLists(env, account, clients.ec2);
  let stack: DeployedStack | undefined;
  const stackName = accountStackName(env, account);
  const read = await runCheck(`stack ${stackName}`, async () => {
    stack = await readDeployedStack(env, account, workspaceRoot, clients);
    return [];
  });
  results.push(...read);
  if (stack) {
    results.push(
      ...(await verifyRoles(stack, clients.iam)),
      ...(await verifyStateMachines(stack, clients.sfn)),
      ...(await verifyNetwork(stack, clients.ec2)),
      ...(await verifyBucketPolicies(stack, clients.s3)),
      ...(await verifyTaskDefinitions(stack, clients.ecs)),
    );
  } else if (read.every((r) => r.status !== 'MISMATCH')) {
    results.push(notChecked(`the resources of ${stackName}`, 'the deployed stack could not be read (above)'));
  }
  results.push(...checkedElsewhere(account));
  const denied = [...new Set(results.flatMap((r) => (r.deniedPermission ? [r.deniedPermission] : [])))];
  results.push(
    denied.length > 0
      ? notChecked(
          "the reading role's read access",
          `denied ${denied.join(', ')}; the checks above that needed it are NOT CHECKED`,
        )
      : verified("the reading role's read access", 'every read above was answered'),
  );
  return results;
}
