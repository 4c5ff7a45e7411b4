import { paginateListStackResources, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeSecurityGroupsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { accountStack, resolveIntrinsics, type TemplateContext } from '@airlock/cloud-assembly';
import { accountStackName } from '@airlock/contracts';
import type { AccountRole, AirlockEnvironment } from '@airlock/shared/environment';
import { awsCall } from './check-result.js';

type Resources = TemplateContext['resources'];

/** The account's synthesized stack, with its intrinsics resolved against the deployed stack's physical IDs. */
export interface DeployedStack {
  readonly stackName: string;
  readonly resources: Resources;
  readonly physicalIds: Readonly<Record<string, string>>;
  /** A template value with every intrinsic resolved to the deployed names, IDs and ARNs. */
  resolve(value: unknown): unknown;
  /** The logical IDs (and properties) of the synthesized resources of one type. */
  ofType(type: string): Array<[logicalId: string, properties: Record<string, unknown>]>;
  /**
   * The `<logicalId>.<attribute>` references a resolved value still holds: attributes neither a physical ID nor a
   * lookup gave. A value holding one cannot be compared with AWS's.
   */
  unresolved(value: unknown): string[];
}

/**
 * Reads the account's stack from its cloud assembly (`apps/<account>-account/cdk.out`, the one just deployed) and
 * the deployed stack's physical IDs (`cloudformation:ListStackResources`), plus the one attribute the templates use
 * that no physical ID gives: a VPC's default security group (`ec2:DescribeSecurityGroups`).
 */
export async function readDeployedStack(
  env: AirlockEnvironment,
  account: AccountRole,
  workspaceRoot: string,
  clients: { readonly cloudFormation: CloudFormationClient; readonly ec2: EC2Client },
): Promise<DeployedStack> {
  const stackName = accountStackName(env, account);
  const physicalIds: Record<string, string> = {};
  await awsCall('cloudformation:ListStackResources', async () => {
    for await (const page of paginateListStackResources({ client: clients.cloudFormation }, { StackName: stackName }))
      for (const r of page.StackResourceSummaries ?? [])
        if (r.LogicalResourceId && r.PhysicalResourceId) physicalIds[r.LogicalResourceId] = r.PhysicalResourceId;
  });
  // Read after the deployed stack, so a stack that is not deployed reads as such whatever the assembly holds.
  const resources = (accountStack(env, workspaceRoot, account).template as { Resources: Resources }).Resources;
  const attributes: Record<string, string> = {};
  for (const [id, resource] of Object.entries(resources)) {
    const vpcId = physicalIds[id];
    if (resource.Type !== 'AWS::EC2::VPC' || vpcId === undefined) continue;
    const { SecurityGroups } = await awsCall('ec2:DescribeSecurityGroups', () =>
      clients.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'group-name', Values: ['default'] },
          ],
        }),
      ),
    );
    const groupId = SecurityGroups?.[0]?.GroupId;
    if (groupId) attributes[`${id}.DefaultSecurityGroup`] = groupId;
  }
  const ctx: TemplateContext = {
    accountId: env.accounts[account],
    region: env.region,
    partition: env.partition,
    stackName,
    resources,
    physicalIds,
    attributes,
  };
  const logicalIds = Object.keys(resources);
  return {
    stackName,
    resources,
    physicalIds,
    resolve: (value) => resolveIntrinsics(value, ctx),
    ofType: (type) =>
      Object.entries(resources)
        .filter(([, r]) => r.Type === type)
        .map(([id, r]) => [id, r.Properties ?? {}]),
    unresolved: (value) => {
      const text = JSON.stringify(value) ?? '';
      return logicalIds.flatMap((id) => text.match(new RegExp(`\\b${id}\\.[A-Za-z][A-Za-z0-9.]*`, 'g')) ?? []);
    },
  };
}
