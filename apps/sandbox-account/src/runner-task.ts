import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { CONTAINER, CONTAINER_VARIABLES, SCRATCH_PATH, VARIABLE, type ContainerName } from '@airlock/contracts';
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
  /** The data bucket's object-URL prefix (`https://<bucket>.s3.<region>.amazonaws.com/`): fetch and deliver refuse other URLs. */
  readonly dataUrlPrefix: string;
  /** Latest acceptable deadline, in seconds from a container's start: the launch workflow's RunTask timeout. */
  readonly runMaxSeconds: number;
}

const RUNNER_USER = '10001:10001';
const SCRATCH_VOLUME = 'scratch';
/** The runner refuses RUN_MAX_SECONDS outside this range. */
const MAX_RUN_MAX_SECONDS = 3600;

/**
 * The cluster and the Fargate task that runs untrusted code: no task role (the code gets no credentials), an
 * execution role that can pull only the runner image and write only the runner's log group, and three containers of
 * the one image on one scratch volume: `fetch` (gets the input URL) SUCCESS -> `run` (gets only the deadline) COMPLETE
 * -> `deliver` (gets the output POST, reads the volume read-only). Each has its own PID namespace (no `pidMode`), a
 * read-only root file system, a numeric non-root user and every Linux capability dropped.
 */
export class RunnerTask extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly executionRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly containers: Readonly<Record<ContainerName, ecs.ContainerDefinition>>;

  constructor(scope: Construct, id: string, props: RunnerTaskProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    if (
      !Token.isUnresolved(props.runMaxSeconds) &&
      (!Number.isSafeInteger(props.runMaxSeconds) ||
        props.runMaxSeconds < 1 ||
        props.runMaxSeconds > MAX_RUN_MAX_SECONDS)
    ) {
      throw new Error(
        `runMaxSeconds must be a whole number from 1 to ${MAX_RUN_MAX_SECONDS} (the runner refuses others), got ${props.runMaxSeconds}. Fix: lower run.timeoutSeconds`,
      );
    }

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
      volumes: [{ name: SCRATCH_VOLUME }],
    });
    removeTaskRole(this.taskDefinition);

    const image = ecs.ContainerImage.fromAsset(props.imageDirectory, { platform: Platform.LINUX_ARM64 });
    const fixedValues: Record<string, string> = {
      [VARIABLE.DATA_URL_PREFIX]: props.dataUrlPrefix,
      [VARIABLE.RUN_MAX_SECONDS]: String(props.runMaxSeconds),
    };
    const addRole = (name: ContainerName, options: { essential: boolean; scratchReadOnly: boolean }) => {
      const linuxParameters = new ecs.LinuxParameters(this, `${name}LinuxParameters`, {
        // `run`'s supervisor must be PID 1 of its namespace (it exits NOT_NAMESPACE_INIT otherwise); the others get
        // an init that reaps what they start.
        initProcessEnabled: name !== CONTAINER.RUN,
      });
      linuxParameters.dropCapabilities(ecs.Capability.ALL);
      const container = this.taskDefinition.addContainer(name, {
        containerName: name,
        image,
        command: [name],
        essential: options.essential,
        environment: Object.fromEntries(CONTAINER_VARIABLES[name].fixed.map((v) => [v, fixedValues[v] as string])),
        readonlyRootFilesystem: true,
        user: RUNNER_USER,
        privileged: false,
        linuxParameters,
        stopTimeout: Duration.seconds(10),
        logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: name }),
      });
      container.addMountPoints({
        sourceVolume: SCRATCH_VOLUME,
        containerPath: SCRATCH_PATH,
        readOnly: options.scratchReadOnly,
      });
      return container;
    };
    // ECS accepts SUCCESS/COMPLETE conditions only on non-essential containers: `deliver` is the essential one.
    const fetch = addRole(CONTAINER.FETCH, { essential: false, scratchReadOnly: false });
    const run = addRole(CONTAINER.RUN, { essential: false, scratchReadOnly: false });
    const deliver = addRole(CONTAINER.DELIVER, { essential: true, scratchReadOnly: true });
    // No startTimeout on `run`: it counts from the container's start and would cut long runs.
    run.addContainerDependencies({ container: fetch, condition: ecs.ContainerDependencyCondition.SUCCESS });
    deliver.addContainerDependencies({ container: run, condition: ecs.ContainerDependencyCondition.COMPLETE });
    this.containers = { [CONTAINER.FETCH]: fetch, [CONTAINER.RUN]: run, [CONTAINER.DELIVER]: deliver };

    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason:
        'The fixed variables are public configuration (the data bucket URL prefix, the maximum run time), never secrets; the per-run URLs arrive as overrides from the launch workflow.',
    });
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
