import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface LauncherRoleProps {
  readonly roleName: string;
  /** Who may assume it: the orchestrator execution role, bound by ExternalId (from packages/shared). */
  readonly assumedBy: iam.IPrincipal;
  readonly launchConfigParameterArn: string;
  readonly clusterArn: string;
  /** `task-definition/<family>:*`: every revision of the runner family, nothing else. */
  readonly taskDefinitionArnPattern: string;
  /** `task/<cluster>/*`: every task on the runner cluster. */
  readonly taskArnPattern: string;
  readonly executionRoleArn: string;
}

/**
 * The role the orchestrator's workflow assumes in this account. It may read the launch config and run, watch and
 * stop the runner task on the one cluster; nothing else. Cross-account `.sync` is polled by Step Functions, so no
 * EventBridge permissions are needed.
 */
export class LauncherRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: LauncherRoleProps) {
    super(scope, id);
    const onCluster = { ArnEquals: { 'ecs:cluster': props.clusterArn } };

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Assumed by the orchestrator workflow to read the launch config and run the untrusted task',
      assumedBy: props.assumedBy,
      inlinePolicies: {
        launch: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'ReadLaunchConfig',
              actions: ['ssm:GetParameter'],
              resources: [props.launchConfigParameterArn],
            }),
            new iam.PolicyStatement({
              sid: 'RunRunnerTask',
              actions: ['ecs:RunTask'],
              resources: [props.taskDefinitionArnPattern],
              conditions: onCluster,
            }),
            new iam.PolicyStatement({
              sid: 'WatchAndStopRunnerTasks',
              actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
              resources: [props.taskArnPattern],
              conditions: onCluster,
            }),
            new iam.PolicyStatement({
              sid: 'PassExecutionRoleToEcs',
              actions: ['iam:PassRole'],
              resources: [props.executionRoleArn],
              conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
            }),
          ],
        }),
      },
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${props.taskDefinitionArnPattern}]`,
      reason:
        'Every revision of the one runner family: a new revision is registered on each image change, and RunTask is further bound to the one cluster by ecs:cluster.',
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${props.taskArnPattern}]`,
      reason:
        'Task IDs are assigned at launch, so DescribeTasks/StopTask cannot name them in advance; limited to tasks on the one runner cluster (also by ecs:cluster).',
    });
  }
}
