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

export interface SandboxNetworkProps {
  /** Availability zones of the isolated subnets (two or more). */
  readonly availabilityZones: readonly string[];
  /** The region's S3 managed prefix list: the task's only egress besides the interface endpoints. */
  readonly s3PrefixListId: string;
  /** Encrypts the flow-log group. */
  readonly logsKey: kms.IKey;
  /** Log retention of the flow logs. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * A VPC with no route out: isolated subnets only (no internet or NAT gateway), VPC endpoints for exactly what the
 * runner needs, a task security group that reaches only those endpoints on 443, flow logs, and a DNS firewall that
 * resolves only the AWS service names the task uses (closing DNS as an exfiltration channel).
 */
export class SandboxNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  /** The runner task's group: no ingress, egress 443 to the S3 prefix list and the endpoints only. */
  readonly taskSecurityGroup: ec2.SecurityGroup;
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  readonly ecrApiEndpoint: ec2.InterfaceVpcEndpoint;
  readonly ecrDockerEndpoint: ec2.InterfaceVpcEndpoint;
  readonly logsEndpoint: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: SandboxNetworkProps) {
    super(scope, id);
    const { region, account } = Stack.of(this);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.64.0.0/20'),
      availabilityZones: [...props.availabilityZones],
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Nothing uses the default group (every task gets taskSecurityGroup), but whatever is ever placed in this VPC
      // without a group gets it: strip its rules so that mistake has no network. CDK does it with a custom resource.
      restrictDefaultSecurityGroup: true,
    });
    confineDefaultGroupRestriction(this, account);

    addEncryptedFlowLog(this, this.vpc, {
      roleDescription: "Delivers this VPC's flow logs to CloudWatch Logs",
      logsKey: props.logsKey,
      logRetention: props.logRetention,
    });

    this.taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: 'Untrusted runner task: no ingress; egress 443 to S3 and the VPC endpoints only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints: 443 from the runner task only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(this.taskSecurityGroup, ec2.Port.tcp(443), 'HTTPS from the runner task');
    this.taskSecurityGroup.addEgressRule(
      this.endpointSecurityGroup,
      ec2.Port.tcp(443),
      'HTTPS to the interface endpoints',
    );
    this.taskSecurityGroup.addEgressRule(
      ec2.Peer.prefixList(props.s3PrefixListId),
      ec2.Port.tcp(443),
      'HTTPS to S3 through the gateway endpoint',
    );
    keepNoDefaultEgress(this.taskSecurityGroup);

    const isolated = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [isolated],
    });
    const interfaceEndpoint = (name: string, service: ec2.InterfaceVpcEndpointAwsService) =>
      this.vpc.addInterfaceEndpoint(name, {
        service,
        subnets: isolated,
        privateDnsEnabled: true,
        securityGroups: [this.endpointSecurityGroup],
        open: false,
      });
    this.ecrApiEndpoint = interfaceEndpoint('EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR);
    this.ecrDockerEndpoint = interfaceEndpoint('EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER);
    this.logsEndpoint = interfaceEndpoint('Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS);

    // Resolves only the service names the task uses.
    addDnsFirewall(this, this.vpc, [
      `s3.${region}.amazonaws.com`,
      `*.s3.${region}.amazonaws.com`,
      `api.ecr.${region}.amazonaws.com`,
      `*.dkr.ecr.${region}.amazonaws.com`,
      `logs.${region}.amazonaws.com`,
    ]);
  }
}
