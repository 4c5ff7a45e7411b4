import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  addDnsFirewall,
  addEncryptedFlowLog,
  confineDefaultGroupRestriction,
  keepNoDefaultEgress,
} from '@airlock/shared';

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
    const { region, account } = Stack.of(this);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.65.0.0/20'),
      availabilityZones: [...props.availabilityZones],
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Whatever is ever placed in this VPC without a group gets the default one: strip its rules.
      restrictDefaultSecurityGroup: true,
    });
    confineDefaultGroupRestriction(this, account);

    addEncryptedFlowLog(this, this.vpc, {
      roleDescription: "Delivers the data-plane VPC's flow logs to CloudWatch Logs",
      logsKey: props.logsKey,
      logRetention: props.logRetention,
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

    // Resolves only the names of the four services.
    addDnsFirewall(this, this.vpc, [
      `s3.${region}.amazonaws.com`,
      `*.s3.${region}.amazonaws.com`,
      `dynamodb.${region}.amazonaws.com`,
      // The SDK's account-based DynamoDB endpoints (<account>.ddb.<region>.amazonaws.com).
      `*.ddb.${region}.amazonaws.com`,
      `sts.${region}.amazonaws.com`,
      `kms.${region}.amazonaws.com`,
    ]);
  }
}
