import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53resolver from 'aws-cdk-lib/aws-route53resolver';
import type { Construct } from 'constructs';

/**
 * The pieces both closed VPCs (the sandbox's and the data plane's) share. Each adds its resources under `scope` with
 * fixed IDs, so a network built with them keeps its logical IDs.
 */

/** Flow logs of every packet to a log group encrypted with the account's logs key, by a role bound to this account. */
export function addEncryptedFlowLog(
  scope: Construct,
  vpc: ec2.Vpc,
  props: { readonly roleDescription: string; readonly logsKey: kms.IKey; readonly logRetention: logs.RetentionDays },
): void {
  const { region, account, partition } = Stack.of(scope);
  const role = new iam.Role(scope, 'FlowLogRole', {
    description: props.roleDescription,
    assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': `arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*` },
    }),
  });
  const group = new logs.LogGroup(scope, 'FlowLogs', { encryptionKey: props.logsKey, retention: props.logRetention });
  vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(group, role),
    trafficType: ec2.FlowLogTrafficType.ALL,
  });
}

/**
 * A DNS firewall that resolves only `allowedDomains` and answers NXDOMAIN to everything else, so code in the VPC
 * cannot carry data out in DNS queries through the VPC's resolver. Its association is mutation-protected.
 */
export function addDnsFirewall(scope: Construct, vpc: ec2.Vpc, allowedDomains: readonly string[]): void {
  const allowed = new route53resolver.CfnFirewallDomainList(scope, 'AllowedDomains', { domains: [...allowedDomains] });
  const everything = new route53resolver.CfnFirewallDomainList(scope, 'AllDomains', { domains: ['*'] });
  const rules = new route53resolver.CfnFirewallRuleGroup(scope, 'DnsFirewallRules', {
    firewallRules: [
      { priority: 100, action: 'ALLOW', firewallDomainListId: allowed.attrId },
      { priority: 200, action: 'BLOCK', blockResponse: 'NXDOMAIN', firewallDomainListId: everything.attrId },
    ],
  });
  new route53resolver.CfnFirewallRuleGroupAssociation(scope, 'DnsFirewall', {
    firewallRuleGroupId: rules.attrId,
    vpcId: vpc.vpcId,
    priority: 101,
    mutationProtection: 'ENABLED',
  });
}

/**
 * Rules to other groups and prefix lists are separate resources, so the group itself would be created with EC2's
 * allow-all egress default. An inline rule that matches no traffic (CDK's own placeholder) keeps it from existing.
 */
export function keepNoDefaultEgress(group: ec2.SecurityGroup): void {
  (group.node.defaultChild as ec2.CfnSecurityGroup).addPropertyOverride('SecurityGroupEgress', [
    {
      CidrIp: '255.255.255.255/32',
      Description: 'Disallow all traffic',
      IpProtocol: 'icmp',
      FromPort: 252,
      ToPort: 86,
    },
  ]);
}
