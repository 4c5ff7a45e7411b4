import { fileURLToPath } from 'node:url';
import { AccountStack, crossAccountTrust, LogsEncryptionKey, type AccountStackProps } from '@airlock/shared';
import {
  dataBucketArn,
  launchConfigParameterArn,
  launchConfigParameterName,
  runnerTaskArnPattern,
  runnerTaskDefinitionArnPattern,
  runnerTaskDefinitionFamily,
  sandboxClusterName,
  sandboxLauncherRoleName,
  type LaunchConfig,
} from '@airlock/contracts';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { restrictEndpoints } from './endpoint-policies.js';
import { LauncherRole } from './launcher-role.js';
import { RUNNER_CONTAINER_NAME, RunnerTask } from './runner-task.js';
import { SandboxNetwork } from './sandbox-network.js';

export interface SandboxAccountStackProps extends AccountStackProps {
  /**
   * The runner image's build context.
   * @default - `dist/runner-image` of this app, written by the `bundle-runner` target
   */
  readonly runnerImageDirectory?: string;
}

const DEFAULT_RUNNER_IMAGE = fileURLToPath(new URL('../dist/runner-image', import.meta.url));
const LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

/** The sandbox account: where untrusted code runs, reachable from the orchestrator only through the launcher role. */
export class SandboxAccountStack extends AccountStack {
  readonly network: SandboxNetwork;
  readonly runnerTask: RunnerTask;
  readonly launchConfig: ssm.StringParameter;
  readonly launcherRole: iam.Role;

  constructor(scope: Construct, props: SandboxAccountStackProps) {
    super(scope, 'sandbox', props);
    const env = this.airlock;

    const logsKey = new LogsEncryptionKey(this, 'LogsKey', {
      purpose: "Encrypts the sandbox account's log groups (runner and VPC flow logs)",
    }).key;

    this.network = new SandboxNetwork(this, 'Network', {
      availabilityZones: env.sandbox.availabilityZones ?? [`${env.region}a`, `${env.region}b`],
      s3PrefixListId: env.sandbox.s3PrefixListId,
      logsKey,
      logRetention: LOG_RETENTION,
    });

    this.runnerTask = new RunnerTask(this, 'Runner', {
      vpc: this.network.vpc,
      clusterName: sandboxClusterName(env),
      family: runnerTaskDefinitionFamily(env),
      imageDirectory: props.runnerImageDirectory ?? DEFAULT_RUNNER_IMAGE,
      logsKey,
      logRetention: LOG_RETENTION,
    });

    restrictEndpoints(this.network, {
      dataBucketArn: dataBucketArn(env),
      dataAccount: env.accounts.data,
      ecrLayerBucketArn: `arn:${this.partition}:s3:::prod-${this.region}-starport-layer-bucket`,
      imageRepositoryArn: this.runnerTask.imageRepositoryArn,
      logGroupArn: this.runnerTask.logGroup.logGroupArn,
      executionRoleArn: this.runnerTask.executionRole.roleArn,
    });

    const launchConfig: LaunchConfig = {
      clusterArn: this.runnerTask.cluster.clusterArn,
      taskDefinitionFamily: runnerTaskDefinitionFamily(env),
      containerName: RUNNER_CONTAINER_NAME,
      subnets: this.network.vpc.isolatedSubnets.map((s) => s.subnetId),
      securityGroups: [this.network.taskSecurityGroup.securityGroupId],
    };
    this.launchConfig = new ssm.StringParameter(this, 'LaunchConfig', {
      parameterName: launchConfigParameterName(env),
      description: 'Where and how the orchestrator launches the runner task (read with the launcher role)',
      stringValue: Stack.of(this).toJsonString(launchConfig),
    });

    this.launcherRole = new LauncherRole(this, 'Launcher', {
      roleName: sandboxLauncherRoleName(env),
      assumedBy: crossAccountTrust(env),
      launchConfigParameterArn: launchConfigParameterArn(env),
      clusterArn: this.runnerTask.cluster.clusterArn,
      taskDefinitionArnPattern: runnerTaskDefinitionArnPattern(env),
      taskArnPattern: runnerTaskArnPattern(env),
      executionRoleArn: this.runnerTask.executionRole.roleArn,
    }).role;
  }
}
