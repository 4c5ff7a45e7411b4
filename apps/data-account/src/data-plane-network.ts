import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53resolver from 'aws-cdk-lib/aws-route53resolver';
import { Construct } from 'constructs';
import { confineDefaultGroupRestriction } from '@airlock/shared';

export interface DataPlaneNetworkProps {
  /** One isolated subnet per zone; each interface endpoint is billed per zone-hour. */
  readonly availabilityZones: readonly string[];
  /** The region's managed prefix lists: with the interface endpoints, the functions' only egress. */
  readonly s3PrefixListId: string;
  readonly dynamodbPrefixListId: string;
  /** Encrypts the flow-log group. */
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The data-plane functions' network: isolated subnets only (no internet or NAT gateway, no public subnet, no route
 * out), gateway endpoints for S3 and DynamoDB, interface endpoints for STS and KMS with private DNS, one security
 * group for the functions and one for the endpoints, flow logs, and a DNS firewall that resolves only the names of
 * those four services. Prepare parses hostile archives: if it is ever subverted, this is all it can reach, and the
 * endpoint policies (`restrictDataPlaneEndpoints`) narrow that to this account's resources.
 */
export class DataPlaneNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  /** The functions' group: no ingress; egress 443 to the S3 and DynamoDB prefix lists and the endpoints only. */
  readonly functionSecurityGroup: ec2.SecurityGroup;
  /** The interface endpoints' group: 443 from the functions' group only, no egress. */
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  readonly dynamodbEndpoint: ec2.GatewayVpcEndpoint;
  readonly stsEndpoint: ec2.InterfaceVpcEndpoint;
  readonly kmsEndpoint: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: DataPlaneNetworkProps) {
    super(scope, id);
    const { region, account, partition } = Stack.of(this);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.65.0.0/20'),
      availabilityZones: [...props.availabilityZones],
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Whatever is ever placed in this VPC without a group gets the default one: strip its rules.
      restrictDefaultSecurityGroup: true,
    });
    confineDefaultGroupRestriction(this, account);

    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      description: "Delivers the data-plane VPC's flow logs to CloudWatch Logs",
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': account },
        ArnLike: { 'aws:SourceArn': `arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*` },
      }),
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogs', { encryptionKey: props.logsKey, retention: props.logRetention }),
        flowLogRole,
      ),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Data-plane functions: no ingress; egress 443 to S3, DynamoDB and the interface endpoints only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'STS and KMS interface endpoints: 443 from the data-plane functions only',
      allowAllOutbound: false,
    });
    const https = ec2.Port.tcp(443);
    this.endpointSecurityGroup.addIngressRule(this.functionSecurityGroup, https, 'HTTPS from the data-plane functions');
    this.functionSecurityGroup.addEgressRule(this.endpointSecurityGroup, https, 'HTTPS to the STS and KMS endpoints');
    this.functionSecurityGroup.addEgressRule(
      ec2.Peer.prefixList(props.s3PrefixListId),
      https,
      'HTTPS to S3 through the gateway endpoint',
    );
    this.functionSecurityGroup.addEgressRule(
      ec2.Peer.prefixList(props.dynamodbPrefixListId),
      https,
      'HTTPS to DynamoDB through the gateway endpoint',
    );
    keepNoDefaultEgress(this.functionSecurityGroup);

    const isolated = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [isolated],
    });
    this.dynamodbEndpoint = this.vpc.addGatewayEndpoint('DynamoDB', {
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [isolated],
    });
    const interfaceEndpoint = (name: string, service: ec2.InterfaceVpcEndpointAwsService) =>
      this.vpc.addInterfaceEndpoint(name, {
        service,
        subnets: isolated,
        // The SDKs' regional names (sts.<region>.amazonaws.com, kms.<region>.amazonaws.com) resolve to the endpoint.
        privateDnsEnabled: true,
        securityGroups: [this.endpointSecurityGroup],
        open: false,
      });
    this.stsEndpoint = interfaceEndpoint('Sts', ec2.InterfaceVpcEndpointAwsService.STS);
    this.kmsEndpoint = interfaceEndpoint('Kms', ec2.InterfaceVpcEndpointAwsService.KMS);

    this.addDnsFirewall(region);
  }

  /**
   * Resolves only the names of the four services; every other query answers NXDOMAIN, so a subverted function
   * cannot carry data out in DNS queries through the VPC's resolver.
   */
  private addDnsFirewall(region: string): void {
    const allowed = new route53resolver.CfnFirewallDomainList(this, 'AllowedDomains', {
      domains: [
        `s3.${region}.amazonaws.com`,
        `*.s3.${region}.amazonaws.com`,
        `dynamodb.${region}.amazonaws.com`,
        // The SDK's account-based DynamoDB endpoints (<account>.ddb.<region>.amazonaws.com).
        `*.ddb.${region}.amazonaws.com`,
        `sts.${region}.amazonaws.com`,
        `kms.${region}.amazonaws.com`,
      ],
    });
    const everything = new route53resolver.CfnFirewallDomainList(this, 'AllDomains', { domains: ['*'] });
    const rules = new route53resolver.CfnFirewallRuleGroup(this, 'DnsFirewallRules', {
      firewallRules: [
        { priority: 100, action: 'ALLOW', firewallDomainListId: allowed.attrId },
        { priority: 200, action: 'BLOCK', blockResponse: 'NXDOMAIN', firewallDomainListId: everything.attrId },
      ],
    });
    new route53resolver.CfnFirewallRuleGroupAssociation(this, 'DnsFirewall', {
      firewallRuleGroupId: rules.attrId,
      vpcId: this.vpc.vpcId,
      priority: 101,
      mutationProtection: 'ENABLED',
    });
  }
}

/**
 * Rules to other groups and prefix lists are separate resources, so the group itself would be created with EC2's
 * allow-all egress default. An inline rule that matches no traffic (CDK's own placeholder) keeps it from existing.
 */
function keepNoDefaultEgress(group: ec2.SecurityGroup): void {
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
