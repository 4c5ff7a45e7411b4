import type { NetworkResourceModel, TrustSurface } from '@airlock/cloud-assembly';

// Reading the sandbox network's shape from its resolved properties, for the rules that need to know which subnets
// are isolated and which security group is the runner's.

/** The sandbox account's network resources. */
export const sandboxNetwork = (surface: TrustSurface): NetworkResourceModel[] =>
  surface.networkResources.filter((r) => r.account === 'sandbox');

/**
 * The logical ID a resolved reference names: a `Ref` resolves to `<stack>-<logicalId>` and a `Fn::GetAtt` other
 * than `Arn` to `<logicalId>.<attribute>` (see resolve-intrinsics); anything else names no resource of the stack.
 */
export function logicalIdOf(value: unknown, stack: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.startsWith(`${stack}-`)) return value.slice(stack.length + 1);
  return /^([A-Za-z0-9]+)\.[A-Za-z]+$/.exec(value)?.[1];
}

const ofType = (network: readonly NetworkResourceModel[], type: string) => network.filter((r) => r.type === type);

/**
 * Subnets that cannot reach anything but the VPC and its endpoints: no public IP on launch, an explicit route table
 * (the main table's routes are not in the template) and no route in that table. A subnet of a VPC without the DNS
 * firewall is not isolated either.
 */
export function isolatedSubnets(network: readonly NetworkResourceModel[]): NetworkResourceModel[] {
  const routedTables = new Set(
    ofType(network, 'AWS::EC2::Route').map((r) => logicalIdOf(r.properties.RouteTableId, r.stack)),
  );
  const guardedVpcs = new Set(
    ofType(network, 'AWS::Route53Resolver::FirewallRuleGroupAssociation').map((a) =>
      logicalIdOf(a.properties.VpcId, a.stack),
    ),
  );
  return ofType(network, 'AWS::EC2::Subnet').filter((subnet) => {
    const tables = ofType(network, 'AWS::EC2::SubnetRouteTableAssociation')
      .filter((a) => logicalIdOf(a.properties.SubnetId, a.stack) === subnet.logicalId)
      .map((a) => logicalIdOf(a.properties.RouteTableId, a.stack));
    return (
      subnet.properties.MapPublicIpOnLaunch !== true &&
      subnet.properties.AssignIpv6AddressOnCreation !== true &&
      guardedVpcs.has(logicalIdOf(subnet.properties.VpcId, subnet.stack)) &&
      tables.length > 0 &&
      tables.every((t) => !routedTables.has(t))
    );
  });
}

/**
 * Why a security group is not fit for the runner task: it must be a group of the sandbox network that accepts no
 * connection at all (its egress is checked, for every group, by sandbox-network-closed).
 */
export function runnerGroupProblem(network: readonly NetworkResourceModel[], reference: unknown): string | undefined {
  const group = ofType(network, 'AWS::EC2::SecurityGroup').find((g) => logicalIdOf(reference, g.stack) === g.logicalId);
  if (!group) return `${JSON.stringify(reference)} is not a security group of the sandbox network`;
  const inline = (group.properties.SecurityGroupIngress as unknown[] | undefined) ?? [];
  const separate = ofType(network, 'AWS::EC2::SecurityGroupIngress').filter(
    (i) => logicalIdOf(i.properties.GroupId, i.stack) === group.logicalId,
  );
  return inline.length + separate.length > 0
    ? `security group ${group.logicalId} accepts connections (the runner's group has no ingress)`
    : undefined;
}
