import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface LauncherRoleProps {
  readonly roleName: string;
  /** Who may assume it: the orchestrator execution role, bound by ExternalId (from packages/shared). */
  readonly assumedBy: iam.IPrincipal;
  /** The launch workflow, the one state machine it may start. */
  readonly launchStateMachineArn: string;
  /** `execution:<launch state machine>:*`: the executions it may watch and stop. */
  readonly launchExecutionArnPattern: string;
  /** The launch workflow's customer key: starting and describing an execution encrypts and decrypts with it. */
  readonly launchKey: kms.IKey;
  readonly region: string;
}

/**
 * The role the orchestrator's workflow assumes in this account. It may start the launch workflow and watch and stop
 * its executions, and use that workflow's key only through Step Functions for that state machine: nothing else, no
 * ECS, no PassRole. The launch workflow alone decides how the task runs. A cross-account `.sync` of a nested
 * Standard workflow is polled by Step Functions, so no EventBridge permissions are needed.
 */
export class LauncherRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: LauncherRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Assumed by the orchestrator workflow to start the sandbox launch workflow and follow it',
      assumedBy: props.assumedBy,
      inlinePolicies: {
        launch: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'StartLaunchWorkflow',
              actions: ['states:StartExecution'],
              resources: [props.launchStateMachineArn],
            }),
            new iam.PolicyStatement({
              sid: 'FollowLaunchExecutions',
              actions: ['states:DescribeExecution', 'states:StopExecution'],
              resources: [props.launchExecutionArnPattern],
            }),
            new iam.PolicyStatement({
              sid: 'LaunchKeyThroughStepFunctions',
              actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
              resources: [props.launchKey.keyArn],
              conditions: {
                StringEquals: {
                  'kms:ViaService': `states.${props.region}.amazonaws.com`,
                  'kms:EncryptionContext:aws:states:stateMachineArn': props.launchStateMachineArn,
                },
              },
            }),
          ],
        }),
      },
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${props.launchExecutionArnPattern}]`,
      reason:
        'Execution names are run IDs, chosen per run; limited to executions of the one launch state machine, as a nested .sync needs to describe and stop them.',
    });
  }
}
