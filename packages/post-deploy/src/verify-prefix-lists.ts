import { DescribeManagedPrefixListsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { AccountRole, AirlockEnvironment } from '@airlock/shared/environment';
import { awsCall, mismatch, runCheck, verified, type CheckResult } from './check-result.js';

/** The prefix-list IDs an account's environment config names, by config field and AWS service. */
function configuredPrefixLists(
  env: AirlockEnvironment,
  account: AccountRole,
): Array<{ field: string; service: 's3' | 'dynamodb'; id: string }> {
  if (account === 'sandbox')
    return [{ field: 'sandbox.s3PrefixListId', service: 's3', id: env.sandbox.s3PrefixListId }];
  if (account === 'data')
    return [
      { field: 'data.s3PrefixListId', service: 's3', id: env.data.s3PrefixListId },
      { field: 'data.dynamodbPrefixListId', service: 'dynamodb', id: env.data.dynamodbPrefixListId },
    ];
  return [];
}

/**
 * Each prefix-list ID of the environment config against the region's AWS-managed list of that service
 * (`com.amazonaws.<region>.s3` / `.dynamodb`, from `ec2:DescribeManagedPrefixLists`): a wrong ID opens the
 * security group to whatever that list holds, or closes the path to S3 or DynamoDB.
 */
export async function verifyPrefixLists(
  env: AirlockEnvironment,
  account: AccountRole,
  ec2: EC2Client,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const { field, service, id } of configuredPrefixLists(env, account)) {
    const name = `com.amazonaws.${env.region}.${service}`;
    const subject = `prefix list ${field} (${id})`;
    results.push(
      ...(await runCheck(subject, async () => {
        const { PrefixLists } = await awsCall('ec2:DescribeManagedPrefixLists', () =>
          ec2.send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: 'prefix-list-name', Values: [name] }] })),
        );
        const actual = PrefixLists?.find((list) => list.PrefixListName === name)?.PrefixListId;
        if (actual === undefined) return [mismatch(subject, `the region has no prefix list named ${name}`)];
        if (actual !== id)
          return [
            mismatch(
              subject,
              `${name} is ${actual}, not ${id}. Fix: set ${field} to "${actual}" in packages/shared/environments/${env.environment}.json`,
            ),
          ];
        return [verified(subject, `is ${name}`)];
      })),
    );
  }
  return results;
}
