import { OPEN_RUN_STATUSES, RUN_PREFIX, runRecordKey } from '@airlock/contracts';
import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface LateObjectSweeperProps {
  readonly bucket: s3.IBucket;
  readonly tableArn: string;
  readonly tableName: string;
  readonly logsKey: kms.IKey;
  /** Fixed, so the rule's ARN is known before it exists (the EventBridge role's trust names it). */
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly stateMachineName: string;
  /** Its own ARN, for the execution role's confused-deputy condition. */
  readonly stateMachineArn: string;
}

/**
 * Deletes an object created under `runs/<runId>/` once its run is closed (a late upload with a leaked URL), on
 * arrival: an EventBridge rule on the bucket's "Object Created" events starts a small Express workflow that reads
 * the run's status (DynamoDB GetItem) and deletes the object (S3 DeleteObject) unless the run is still open. SDK
 * integrations only: no Lambda invocation, and nothing added to the run's own path.
 */
export class LateObjectSweeper extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: LateObjectSweeperProps) {
    super(scope, id);
    const { account } = Stack.of(this);

    const statusOf = new sfn.CustomState(this, 'ReadRunStatus', {
      stateJson: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:dynamodb:getItem',
        Parameters: {
          TableName: props.tableName,
          Key: { pk: { 'S.$': '$.recordKey' } },
          ConsistentRead: true,
          ProjectionExpression: '#status',
          ExpressionAttributeNames: { '#status': 'status' },
        },
        ResultPath: '$.run',
        Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 3, IntervalSeconds: 1, BackoffRate: 2 }],
      },
    });
    const deleteObject = new sfn.CustomState(this, 'DeleteObject', {
      stateJson: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:s3:deleteObject',
        Parameters: { Bucket: props.bucket.bucketName, 'Key.$': '$.key' },
        Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 3, IntervalSeconds: 1, BackoffRate: 2 }],
      },
    });
    const keyOf = new sfn.Pass(this, 'RunOfKey', {
      parameters: {
        'key.$': '$.detail.object.key',
        // runs/<runId>/<name>: the second part of the key names the run (IDs contain no "/").
        'recordKey.$': `States.Format('${runRecordKey('{}')}', States.ArrayGetItem(States.StringSplit($.detail.object.key, '/'), 1))`,
      },
    });
    const open = new sfn.Succeed(this, 'RunIsOpen');
    const status = '$.run.Item.status.S';
    const isOpen = new sfn.Choice(this, 'IsRunOpen')
      .when(sfn.Condition.or(...OPEN_RUN_STATUSES.map((s) => sfn.Condition.stringEquals(status, s))), open)
      .otherwise(deleteObject);
    // Two choices, as a Choice on a missing path fails the execution: no record (or no status) is a closed run.
    const hasRecord = new sfn.Choice(this, 'HasRunRecord')
      .when(sfn.Condition.isPresent(status), isOpen)
      .otherwise(deleteObject);
    const definition = keyOf.next(statusOf).next(hasRecord);

    const role = new iam.Role(this, 'Role', {
      description: 'Execution role of the late-object sweeper: reads run status, deletes objects of closed runs',
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': account },
        ArnEquals: { 'aws:SourceArn': props.stateMachineArn },
      }),
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [props.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [runRecordKey('*')] },
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'status'] },
          StringEquals: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: [props.bucket.arnForObjects(`${RUN_PREFIX}*`)],
      }),
    );
    // No KMS grant: DynamoDB decrypts with its own grant on the key, and deleting an object decrypts nothing.

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.EXPRESS,
      role,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.minutes(1),
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

    const eventsRole = new iam.Role(this, 'EventsRole', {
      description: "Lets the sweeper's EventBridge rule start the sweeper",
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': account },
        ArnEquals: { 'aws:SourceArn': props.ruleArn },
      }),
    });
    eventsRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }),
    );
    this.rule = new events.Rule(this, 'ObjectCreated', {
      ruleName: props.ruleName,
      description: 'Every object created under runs/ is checked against its run record',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [props.bucket.bucketName] }, object: { key: [{ prefix: RUN_PREFIX }] } },
      },
    });
    (this.rule.node.defaultChild as events.CfnRule).targets = [
      { id: 'Sweeper', arn: this.stateMachine.stateMachineArn, roleArn: eventsRole.roleArn },
    ];

    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SF1',
      reason: 'Deliberately ERROR: failures are recorded; execution data (object keys of runs) is not logged.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(props.bucket.node.defaultChild as CfnElement)}.Arn>/${RUN_PREFIX}*]`,
      reason:
        'Late objects may be any object under runs/ (the URLs write output.json only, but nothing else may stay).',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for logging (logs:*LogDelivery*, Describe*) and X-Ray: these actions accept no resource ARN.',
    });
  }
}
