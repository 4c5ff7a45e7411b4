import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { DataPlaneAction } from '@airlock/contracts';
import { bundledHandler } from './handler-bundle.js';

/** One function per data-plane action. */
export type DataFunctionName = DataPlaneAction;

/** Supplies a function's code; tests pass inline code so that synthesizing a stack never bundles. */
export type FunctionCodeFactory = (name: DataFunctionName) => lambda.Code;

export interface DataFunctionProps {
  readonly name: DataFunctionName;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly logsKey: kms.IKey;
  /** The data-plane network: the function runs in its isolated subnets, in this security group only. */
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  /** @default - the handler bundled from `functions/<name>/handler.ts` (`bundledHandler`) */
  readonly code?: FunctionCodeFactory;
}

/**
 * One trusted data-plane step: Node.js 24 (the newest Lambda runtime) on arm64, X-Ray tracing, source maps, an explicit encrypted log group,
 * in the isolated subnets of the data-plane network, and a role of its own that starts with nothing but writing that
 * log group and managing the function's network interfaces.
 */
export class DataFunction extends Construct {
  readonly role: iam.Role;
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: DataFunctionProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      description: `Runs the data-plane ${props.name} step`,
      // Confused-deputy protection: Lambda of this account only.
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      }),
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logsKey,
      retention: logs.RetentionDays.THREE_MONTHS,
    });
    logGroup.grantWrite(this.role);
    // Lambda creates and removes the function's interfaces in the VPC with the function's own role (what the AWS
    // managed AWSLambdaVPCAccessExecutionRole grants; the stacks attach no managed policy). The code can hardly use
    // it: the VPC has no EC2 endpoint and no way out.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        // As the managed policy has it: the Describe actions take no resource, and the interfaces' IDs are made by
        // Lambda at deploy time, so no ARN is known at synth.
        resources: ['*'],
      }),
    );

    const common = {
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(60),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [props.securityGroup],
    };
    this.function = new lambda.Function(this, 'Function', {
      ...common,
      code: props.code ? props.code(props.name) : bundledHandler(this, props.name),
      handler: 'index.handler',
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for active X-Ray tracing (xray:PutTraceSegments/PutTelemetryRecords), and the network-interface ' +
        'actions Lambda performs with this role to place the function in its VPC: EC2 Describe* accept no resource ' +
        'ARN, and the interface is created before its ID exists (AWS documents "*" for DeleteNetworkInterface).',
    });
  }
}
