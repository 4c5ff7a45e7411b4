import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { AIRLOCK_ERRORS, DATA_PLANE_ACTION, DATA_PLANE_ACTION_FIELD, type DataPlaneAction } from '@airlock/contracts';

const ACTION_PATH = `$.${DATA_PLANE_ACTION_FIELD}`;

export interface DataPlaneWorkflowProps {
  readonly stateMachineName: string;
  readonly stateMachineArn: string;
  readonly account: string;
  readonly functions: Readonly<Record<DataPlaneAction, lambda.IFunction>>;
  readonly logsKey: kms.IKey;
}

/**
 * The Express workflow the orchestrator starts synchronously: routes on `action` to one trusted step and returns
 * its small JSON result. JSONPath only (the local rehearsal engine runs no JSONata). Unknown or missing actions
 * fail with `Airlock.BadRequest`; a step's own named error (e.g. `Airlock.RunFailed`) fails the execution as is.
 */
export class DataPlaneWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: DataPlaneWorkflowProps) {
    super(scope, id);
    const step = (name: string, fn: lambda.IFunction) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: true,
      });
    const badRequest = new sfn.Fail(this, 'BadRequest', {
      error: AIRLOCK_ERRORS.BadRequest,
      cause: `action must be one of ${Object.values(DATA_PLANE_ACTION).join(', ')}`,
    });
    const route = new sfn.Choice(this, 'Route')
      .when(sfn.Condition.isNotPresent(ACTION_PATH), badRequest)
      .when(
        sfn.Condition.stringEquals(ACTION_PATH, DATA_PLANE_ACTION.prepare),
        step('Prepare', props.functions.prepare),
      )
      .when(
        sfn.Condition.stringEquals(ACTION_PATH, DATA_PLANE_ACTION.finalize),
        step('Finalize', props.functions.finalize),
      )
      .when(sfn.Condition.stringEquals(ACTION_PATH, DATA_PLANE_ACTION.purge), step('Purge', props.functions.purge))
      .otherwise(badRequest);

    const role = new iam.Role(this, 'Role', {
      description: 'Execution role of the data-plane Express workflow: invokes its three steps',
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': props.account },
        ArnEquals: { 'aws:SourceArn': props.stateMachineArn },
      }),
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.EXPRESS,
      role,
      definitionBody: sfn.DefinitionBody.fromChainable(route),
      timeout: Duration.minutes(2),
      // Failures are recorded; execution data (which includes presigned URLs) never is.
      logs: {
        destination: new logs.LogGroup(this, 'Logs', {
          encryptionKey: props.logsKey,
          retention: logs.RetentionDays.THREE_MONTHS,
        }),
        level: sfn.LogLevel.ERROR,
        includeExecutionData: false,
      },
      tracingEnabled: true,
    });

    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SF1',
      reason:
        'Deliberately ERROR: failures are recorded, while execution data (which carries presigned URLs) is never logged.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for logging (logs:*LogDelivery*, Describe*) and X-Ray: these actions accept no resource ARN.',
    });
    for (const [name, fn] of Object.entries(props.functions)) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason: `Versions and aliases of the ${name} function only, as CDK grants for a Lambda task.`,
      });
    }
  }
}
