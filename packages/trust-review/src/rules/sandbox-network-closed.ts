import { BlockList } from 'node:net';
import type { NetworkResourceModel } from '@airlock/cloud-assembly';
import { defineRule, verdictsFor } from './define-rule.js';

/** Resources that are a path out of a VPC by their existence alone. */
const PATHS_OUT: Readonly<Record<string, string>> = {
  'AWS::EC2::InternetGateway': 'an internet gateway',
  'AWS::EC2::VPCGatewayAttachment': 'a gateway attachment',
  'AWS::EC2::NatGateway': 'a NAT gateway',
  'AWS::EC2::EgressOnlyInternetGateway': 'an egress-only internet gateway',
  'AWS::EC2::VPCPeeringConnection': 'a VPC peering connection',
  'AWS::EC2::TransitGatewayAttachment': 'a transit gateway attachment',
  'AWS::EC2::TransitGatewayVpcAttachment': 'a transit gateway attachment',
  'AWS::EC2::VPNGateway': 'a VPN gateway',
  'AWS::EC2::VPNConnection': 'a VPN connection',
  'AWS::EC2::CarrierGateway': 'a carrier gateway',
  'AWS::EC2::ClientVpnEndpoint': 'a client VPN endpoint',
};

/** The VPCs' own IPv4 ranges (primary and secondary CIDR blocks): the only addresses a network ACL may admit. */
function vpcRanges(all: readonly NetworkResourceModel[]): BlockList {
  const ranges = new BlockList();
  for (const r of all) {
    const cidr = r.type === 'AWS::EC2::VPC' || r.type === 'AWS::EC2::VPCCidrBlock' ? r.properties.CidrBlock : undefined;
    const [address, prefix] = String(cidr).split('/');
    if (typeof cidr === 'string' && address && prefix) ranges.addSubnet(address, Number(prefix), 'ipv4');
  }
  return ranges;
}

/** Whether an IPv4 CIDR lies inside the VPCs: its first and last addresses both do. */
function insideVpc(cidr: unknown, ranges: BlockList): boolean {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(String(cidr));
  if (!match) return false;
  const first = match.slice(1, 5).reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(match[5]));
  const start = first - (first % size);
  const dotted = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
  return ranges.check(dotted(start), 'ipv4') && ranges.check(dotted(start + size - 1), 'ipv4');
}

type Rule = Record<string, unknown>;
/** CDK's placeholder for "no egress": one ICMP rule to 255.255.255.255/32 that matches nothing. */
const isNoEgressPlaceholder = (r: Rule) => r.CidrIp === '255.255.255.255/32' && r.IpProtocol === 'icmp';
/** 443 to a group (the endpoints') or to one of the account's gateway prefix lists (any other list may be anywhere). */
const isHttpsToEndpoint = (r: Rule, prefixLists: readonly string[]) =>
  String(r.IpProtocol) === 'tcp' &&
  Number(r.FromPort) === 443 &&
  Number(r.ToPort) === 443 &&
  (prefixLists.includes(String(r.DestinationPrefixListId)) ||
    (r.DestinationPrefixListId === undefined && r.DestinationSecurityGroupId !== undefined)) &&
  r.CidrIp === undefined &&
  r.CidrIpv6 === undefined;
const describeRule = (r: Rule) =>
  `${String(r.IpProtocol)} ${String(r.FromPort ?? '*')}-${String(r.ToPort ?? '*')} ${String(
    r.CidrIp ??
      r.CidrIpv6 ??
      r.DestinationPrefixListId ??
      r.DestinationSecurityGroupId ??
      r.SourceSecurityGroupId ??
      '?',
  )}`;

function problemsOf(
  resource: NetworkResourceModel,
  all: readonly NetworkResourceModel[],
  prefixLists: readonly string[],
): string[] {
  const p = resource.properties;
  const out = PATHS_OUT[resource.type];
  if (out) return [`${resource.logicalId} is ${out}`];
  switch (resource.type) {
    case 'AWS::EC2::Route':
      return [
        `route ${resource.logicalId} sends ${String(p.DestinationCidrBlock ?? p.DestinationIpv6CidrBlock ?? p.DestinationPrefixListId)} somewhere other than the endpoints`,
      ];
    case 'AWS::EC2::SecurityGroup': {
      const egress = (p.SecurityGroupEgress as Rule[] | undefined) ?? [];
      const ingress = (p.SecurityGroupIngress as Rule[] | undefined) ?? [];
      return [
        ...(p.SecurityGroupEgress === undefined
          ? [`security group ${resource.logicalId} keeps the default allow-all egress`]
          : []),
        ...egress
          .filter((r) => !isNoEgressPlaceholder(r) && !isHttpsToEndpoint(r, prefixLists))
          .map((r) => `security group ${resource.logicalId} allows egress ${describeRule(r)}`),
        ...ingress
          .filter((r) => r.SourceSecurityGroupId === undefined)
          .map((r) => `security group ${resource.logicalId} allows ingress ${describeRule(r)}`),
      ];
    }
    case 'AWS::EC2::SecurityGroupEgress':
      return isHttpsToEndpoint(p, prefixLists) ? [] : [`${resource.logicalId} allows egress ${describeRule(p)}`];
    case 'AWS::EC2::SecurityGroupIngress':
      return p.SourceSecurityGroupId === undefined ? [`${resource.logicalId} allows ingress ${describeRule(p)}`] : [];
    case 'AWS::EC2::NetworkAclEntry': {
      // The VPC has no IPv6 range, so any IPv6 block (::/0 included) is outside it; so is any IPv4 block not in it.
      const range = p.Ipv6CidrBlock ?? p.CidrBlock;
      return p.RuleAction === 'allow' && (p.Ipv6CidrBlock !== undefined || !insideVpc(p.CidrBlock, vpcRanges(all)))
        ? [
            `network ACL entry ${resource.logicalId} allows ${p.Egress ? 'egress to' : 'ingress from'} ${String(range)}, outside the VPC`,
          ]
        : [];
    }
    case 'AWS::EC2::VPC': {
      const vpc = resource.logicalId;
      const guarded = all.some(
        (r) =>
          r.type === 'AWS::Route53Resolver::FirewallRuleGroupAssociation' &&
          r.stack === resource.stack &&
          String(r.properties.VpcId) === `${resource.stack}-${vpc}`,
      );
      return guarded ? [] : [`VPC ${vpc} has no DNS firewall rule group association`];
    }
    default:
      return [];
  }
}

export const sandboxNetworkClosed = defineRule({
  id: 'sandbox-network-closed',
  invariant: 'I4, I5',
  explanation:
    'The sandbox network, and the data-plane network where the functions that parse hostile archives run, have no ' +
    'path to the internet or another network (no internet, NAT or egress-only gateway, ' +
    "no peering or transit attachment, no route but the endpoints'), every security group has no open ingress and " +
    "egress only on 443 to the account's own S3 (and DynamoDB) prefix list from its environment config or the endpoints' group, no network ACL admits an address outside the " +
    'VPC (any IPv6 range included), and each VPC answers DNS through the DNS firewall.',
  check: (surface) =>
    (['sandbox', 'data'] as const).flatMap((account) => {
      const network = surface.networkResources.filter((r) => r.account === account);
      const prefixLists =
        account === 'sandbox'
          ? [surface.env.sandbox.s3PrefixListId]
          : [surface.env.data.s3PrefixListId, surface.env.data.dynamodbPrefixListId];
      return verdictsFor(
        { account, subject: 'network' },
        network.flatMap((r) => problemsOf(r, network, prefixLists)),
      );
    }),
});
