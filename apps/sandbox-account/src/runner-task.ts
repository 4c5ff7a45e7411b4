import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface RunnerTaskProps {
  readonly vpc: ec2.IVpc;
  readonly clusterName: string;
  readonly family: string;
  /** Directory holding the runner image's build context (Dockerfile and the bundled runner). */
  readonly imageDirectory: string;
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/** Name of the container in the runner task; the orchestrator's overrides address it by this name. */
export const RUNNER_CONTAINER_NAME = 'runner';
/** Mount point of the bounded writable scratch volume; the runner's default SCRATCH_DIR. */
export const SCRATCH_PATH = '/scratch';
const RUNNER_USER = '10001:10001';

/**
 * The cluster and the Fargate task that runs untrusted code: no task role (the code gets no credentials), an
 * execution role that can pull only the runner image and write only the runner's log group, a read-only root
 * file system, a numeric non-root user, every Linux capability dropped, and one scratch volume.
 */
export class RunnerTask extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly executionRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly container: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: RunnerTaskProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: props.clusterName,
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { encryptionKey: props.logsKey, retention: props.logRetention });
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      description: 'Pulls the runner image and writes its logs; never available to the code in the task',
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': account },
        ArnLike: { 'aws:SourceArn': `arn:${partition}:ecs:${region}:${account}:*` },
      }),
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: props.family,
      cpu: 512,
      memoryLimitMiB: 1024,
      // The smallest Fargate allows; the runner's own archive limits bound what it unpacks far below this.
      ephemeralStorageGiB: 21,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      executionRole: this.executionRole,
      volumes: [{ name: 'scratch' }],
    });
    removeTaskRole(this.taskDefinition);

    const linuxParameters = new ecs.LinuxParameters(this, 'LinuxParameters', { initProcessEnabled: true });
    linuxParameters.dropCapabilities(ecs.Capability.ALL);
    this.container = this.taskDefinition.addContainer('Runner', {
      containerName: RUNNER_CONTAINER_NAME,
      image: ecs.ContainerImage.fromAsset(props.imageDirectory, { platform: Platform.LINUX_ARM64 }),
      readonlyRootFilesystem: true,
      user: RUNNER_USER,
      privileged: false,
      linuxParameters,
      stopTimeout: Duration.seconds(10),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'runner' }),
    });
    this.container.addMountPoints({ sourceVolume: 'scratch', containerPath: SCRATCH_PATH, readOnly: false });
    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken has no resource type, so IAM accepts only "*"; the image actions are on the one repository.',
    });
  }

  /** The ECR repository the runner image is published to (the CDK bootstrap's container-asset repository). */
  get imageRepositoryArn(): string {
    const { account, region, partition } = Stack.of(this);
    return `arn:${partition}:ecr:${region}:${account}:repository/cdk-hnb659fds-container-assets-${account}-${region}`;
  }
}

/**
 * ECS's L2 always creates a task role; the untrusted code must get none. Drop the property and the role itself so
 * no unused role is left in the template.
 */
function removeTaskRole(taskDefinition: ecs.TaskDefinition): void {
  (taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).addPropertyDeletionOverride('TaskRoleArn');
  taskDefinition.node.tryRemoveChild('TaskRole');
}
