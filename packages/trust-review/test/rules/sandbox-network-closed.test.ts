import type { NetworkResourceModel } from '@airlock/cloud-assembly';
import { describe, expect, it } from 'vitest';
import { sandboxNetworkClosed } from '../../src/rules/sandbox-network-closed.js';
import { env, surfaceOf } from './surface.js';

const STACK = 'airlock-example-sandbox';
const resource = (logicalId: string, type: string, properties: Record<string, unknown> = {}): NetworkResourceModel => ({
  account: 'sandbox',
  accountId: env.accounts.sandbox,
  stack: STACK,
  logicalId,
  type,
  properties,
});
const closed = () => [
  resource('Vpc', 'AWS::EC2::VPC'),
  resource('Dns', 'AWS::Route53Resolver::FirewallRuleGroupAssociation', { VpcId: `${STACK}-Vpc` }),
  resource('TaskGroup', 'AWS::EC2::SecurityGroup', {
    SecurityGroupEgress: [{ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 }],
  }),
  resource('ToS3', 'AWS::EC2::SecurityGroupEgress', {
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    DestinationPrefixListId: env.sandbox.s3PrefixListId,
  }),
];
const messagesOf = (network: NetworkResourceModel[]) =>
  sandboxNetworkClosed
    .check(surfaceOf({ networkResources: network }))
    .flatMap((v) => (v.compliance === 'non-compliant' ? [v.message] : []));

describe('sandbox-network-closed', () => {
  it('is compliant for a VPC behind the DNS firewall whose group only reaches S3 on 443', () => {
    expect(messagesOf(closed())).toEqual([]);
  });

  it('fails 443 to a prefix list other than the environment’s S3 list (a customer list may hold any address)', () => {
    expect(
      messagesOf([
        ...closed(),
        resource('ToAnywhere', 'AWS::EC2::SecurityGroupEgress', {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          DestinationPrefixListId: 'pl-0123456789abcdef0',
        }),
      ]),
    ).toEqual(['ToAnywhere allows egress tcp 443-443 pl-0123456789abcdef0']);
  });

  it('names every path out', () => {
    expect(
      messagesOf([
        ...closed().filter((r) => r.logicalId !== 'Dns'),
        resource('Nat', 'AWS::EC2::NatGateway'),
        resource('Open', 'AWS::EC2::SecurityGroup'),
        resource('Ssh', 'AWS::EC2::SecurityGroupIngress', {
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          CidrIp: '0.0.0.0/0',
        }),
        resource('Http', 'AWS::EC2::SecurityGroupEgress', {
          IpProtocol: 'tcp',
          FromPort: 80,
          ToPort: 80,
          CidrIp: '0.0.0.0/0',
        }),
      ]),
    ).toEqual([
      'VPC Vpc has no DNS firewall rule group association',
      'Nat is a NAT gateway',
      'security group Open keeps the default allow-all egress',
      'Ssh allows ingress tcp 22-22 0.0.0.0/0',
      'Http allows egress tcp 80-80 0.0.0.0/0',
    ]);
  });

  it('fails a network ACL that admits anything outside the VPC, IPv6 included, and passes one inside it', () => {
    const entry = (logicalId: string, range: Record<string, string>) =>
      resource(logicalId, 'AWS::EC2::NetworkAclEntry', { RuleAction: 'allow', Egress: true, ...range });
    const vpc = resource('Vpc', 'AWS::EC2::VPC', { CidrBlock: '10.64.0.0/20' });
    expect(
      messagesOf([
        vpc,
        ...closed().slice(1),
        entry('Inside', { CidrBlock: '10.64.1.0/24' }),
        entry('AllIpv4', { CidrBlock: '0.0.0.0/0' }),
        entry('AllIpv6', { Ipv6CidrBlock: '::/0' }),
        entry('Wider', { CidrBlock: '10.64.0.0/19' }),
        entry('Public', { CidrBlock: '8.8.8.8/32' }),
        resource('Deny', 'AWS::EC2::NetworkAclEntry', { RuleAction: 'deny', CidrBlock: '0.0.0.0/0' }),
      ]),
    ).toEqual([
      'network ACL entry AllIpv4 allows egress to 0.0.0.0/0, outside the VPC',
      'network ACL entry AllIpv6 allows egress to ::/0, outside the VPC',
      'network ACL entry Wider allows egress to 10.64.0.0/19, outside the VPC',
      'network ACL entry Public allows egress to 8.8.8.8/32, outside the VPC',
    ]);
  });
});
