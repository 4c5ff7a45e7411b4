import { fileURLToPath } from 'node:url';
import {
  AccountStack,
  allowDecryptOnlyTo,
  crossAccountTrust,
  LogsEncryptionKey,
  type AccountStackProps,
} from '@airlock/shared';
import {
  dataBucketArn,
  dataBucketName,
  launchExecutionArnPattern,
  launchReaperStateMachineName,
  launchStateMachineArn,
  launchStateMachineName,
  runnerTaskArnPattern,
  runnerTaskDefinitionFamily,
  runWindow,
  sandboxClusterName,
  sandboxLauncherRoleArn,
  sandboxLauncherRoleName,
} from '@airlock/contracts';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { restrictEndpoints } from './endpoint-policies.js';
import { LaunchReaper } from './launch-reaper.js';
import { LaunchWorkflow } from './launch-workflow.js';
import { LauncherRole } from './launcher-role.js';
import { RunnerTask } from './runner-task.js';
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
  readonly launchWorkflow: LaunchWorkflow;
  readonly launchReaper: LaunchReaper;
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
      dataUrlPrefix: `https://${dataBucketName(env)}.s3.${env.region}.amazonaws.com/`,
      runMaxSeconds: runWindow(env.run.timeoutSeconds).taskTimeoutSeconds,
    });

    restrictEndpoints(this.network, {
      dataBucketArn: dataBucketArn(env),
      dataAccount: env.accounts.data,
      ecrLayerBucketArn: `arn:${this.partition}:s3:::prod-${this.region}-starport-layer-bucket`,
      imageRepositoryArn: this.runnerTask.imageRepositoryArn,
      logGroupArn: this.runnerTask.logGroup.logGroupArn,
      executionRoleArn: this.runnerTask.executionRole.roleArn,
    });

    this.launchWorkflow = new LaunchWorkflow(this, 'Launch', {
      stateMachineName: launchStateMachineName(env),
      stateMachineArn: launchStateMachineArn(env),
      cluster: this.runnerTask.cluster,
      taskDefinition: this.runnerTask.taskDefinition,
      executionRole: this.runnerTask.executionRole,
      subnets: this.network.vpc.isolatedSubnets,
      securityGroup: this.network.taskSecurityGroup,
      taskArnPattern: runnerTaskArnPattern(env),
      taskTimeoutSeconds: runWindow(env.run.timeoutSeconds).taskTimeoutSeconds,
      logsKey,
      logRetention: LOG_RETENTION,
    });

    const reaperName = launchReaperStateMachineName(env);
    this.launchReaper = new LaunchReaper(this, 'LaunchReaper', {
      name: reaperName,
      stateMachineArn: `arn:${env.partition}:states:${env.region}:${env.accounts.sandbox}:stateMachine:${reaperName}`,
      ruleArn: `arn:${env.partition}:events:${env.region}:${env.accounts.sandbox}:rule/${reaperName}`,
      launchStateMachineArn: launchStateMachineArn(env),
      cluster: this.runnerTask.cluster,
      taskArnPattern: runnerTaskArnPattern(env),
      account: env.accounts.sandbox,
      logsKey,
      logRetention: LOG_RETENTION,
    });

    this.launcherRole = new LauncherRole(this, 'Launcher', {
      roleName: sandboxLauncherRoleName(env),
      assumedBy: crossAccountTrust(env),
      launchStateMachineArn: launchStateMachineArn(env),
      launchExecutionArnPattern: launchExecutionArnPattern(env),
      launchKey: this.launchWorkflow.key,
      region: env.region,
    }).role;
    // The launch history holds each run's presigned URLs: only the workflow, the orchestrator's launcher role
    // (startExecution.sync:2 describes the execution) and the named readers may decrypt it.
    allowDecryptOnlyTo(this.launchWorkflow.key, [
      this.launchWorkflow.role.roleArn,
      // By name, not by reference: the launcher's own policy names this key, and a reference back would be a cycle.
      sandboxLauncherRoleArn(env),
      ...env.historyReaders.sandbox.map((name) => `arn:${env.partition}:iam::${env.accounts.sandbox}:role/${name}`),
    ]);
  }
}
