import { Duration, Validations } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface LaunchReaperProps {
  /** Name of the reaper Express state machine and of the rule that starts it. */
  readonly name: string;
  readonly stateMachineArn: string;
  readonly ruleArn: string;
  /** The launch workflow whose ended executions are reaped. */
  readonly launchStateMachineArn: string;
  readonly cluster: ecs.ICluster;
  /** `task/<cluster>/*`: every task on the runner cluster. */
  readonly taskArnPattern: string;
  readonly account: string;
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/** Execution ends on which the launch workflow ran no find-and-stop of its own (an aborted execution runs no Catch). */
export const REAPED_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED'] as const;

/**
 * Stops the tasks of every launch execution that ends ABORTED, TIMED_OUT or FAILED: an EventBridge rule on the
 * execution's status change starts a tiny Express workflow that lists the cluster's tasks started by that execution
 * (`StartedBy` = execution name) and stops each. No Lambda code.
 */
export class LaunchReaper extends Construct {
  readonly rule: events.Rule;
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: LaunchReaperProps) {
    super(scope, id);
    const clusterArn = props.cluster.clusterArn;
    const onCluster = { ArnEquals: { 'ecs:cluster': clusterArn } };

    const findTasks = new sfn.CustomState(this, 'FindTasks', {
      stateJson: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:ecs:listTasks',
        Parameters: { Cluster: clusterArn, 'StartedBy.$': '$.executionName', DesiredStatus: 'RUNNING' },
        ResultSelector: { 'taskArns.$': '$.TaskArns' },
        Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 4 }],
      },
    });
    const stopTask = new sfn.CustomState(this, 'StopTask', {
      stateJson: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:ecs:stopTask',
        Parameters: { Cluster: clusterArn, 'Task.$': '$', Reason: 'Its launch execution was aborted or failed' },
        ResultPath: null,
        Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 4 }],
      },
    });
    const stopEach = new sfn.Map(this, 'StopEach', { itemsPath: '$.taskArns' }).itemProcessor(stopTask);

    const role = new iam.Role(this, 'Role', {
      description: 'Execution role of the launch reaper: finds and stops runner tasks on the one cluster',
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': props.account },
        ArnEquals: { 'aws:SourceArn': props.stateMachineArn },
      }),
      inlinePolicies: {
        reap: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'FindRunnerTasks',
              actions: ['ecs:ListTasks'],
              // ListTasks takes no resource ARN (it names no task); ecs:cluster binds it to the runner cluster.
              resources: ['*'],
              conditions: onCluster,
            }),
            new iam.PolicyStatement({
              sid: 'StopRunnerTasks',
              actions: ['ecs:StopTask'],
              resources: [props.taskArnPattern],
              conditions: onCluster,
            }),
          ],
        }),
      },
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.name,
      stateMachineType: sfn.StateMachineType.EXPRESS,
      role,
      definitionBody: sfn.DefinitionBody.fromChainable(findTasks.next(stopEach)),
      timeout: Duration.minutes(1),
      logs: {
        destination: new logs.LogGroup(this, 'Logs', { encryptionKey: props.logsKey, retention: props.logRetention }),
        level: sfn.LogLevel.ERROR,
        includeExecutionData: false,
      },
      tracingEnabled: true,
    });

    // The events role is bound to this one rule (confused deputy), so it is built here, not by the target.
    const eventsRole = new iam.Role(this, 'EventsRole', {
      description: 'Lets the launch reaper rule start the reaper workflow',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': props.account },
        ArnEquals: { 'aws:SourceArn': props.ruleArn },
      }),
    });
    this.stateMachine.grantStartExecution(eventsRole);
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: props.name,
      description: 'Stops the runner tasks of a launch execution that ended ABORTED, TIMED_OUT or FAILED',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [props.launchStateMachineArn], status: [...REAPED_STATUSES] },
      },
    });
    this.rule.addTarget({
      bind: () => ({
        arn: this.stateMachine.stateMachineArn,
        role: eventsRole,
        input: events.RuleTargetInput.fromObject({ executionName: events.EventField.fromPath('$.detail.name') }),
      }),
    });

    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SF1',
      reason: 'Deliberately ERROR: failures are recorded; the input is an execution name and needs no more.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecs:ListTasks names no task (it is bound to the one cluster by ecs:cluster); CDK adds logging and X-Ray actions that accept no resource ARN.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${props.taskArnPattern}]`,
      reason: 'Task IDs are assigned at launch; limited to tasks on the one runner cluster (also by ecs:cluster).',
    });
  }
}
