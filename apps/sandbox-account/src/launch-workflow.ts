import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  CONTAINER_NAMES,
  CONTAINER_VARIABLES,
  LAUNCH_ECS_CALL,
  LAUNCH_OUTCOME,
  LAUNCH_REQUEST_FIELDS,
  LAUNCH_REQUEST_VARIABLES,
  LAUNCH_RUN_TASK_RETRY,
  LAUNCH_STOP_CHECK_INTERVAL_SECONDS,
  LAUNCH_STOP_CHECKS,
  VARIABLE,
  type LaunchResult,
} from '@airlock/contracts';

export interface LaunchWorkflowProps {
  readonly stateMachineName: string;
  readonly stateMachineArn: string;
  readonly cluster: ecs.ICluster;
  /** The one revision the workflow runs (a CDK reference, so a deploy moves it to the new revision). */
  readonly taskDefinition: ecs.TaskDefinition;
  /** Passed to ECS as the task's execution role; the task has no task role. */
  readonly executionRole: iam.IRole;
  readonly subnets: readonly ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
  /** `task/<cluster>/*`: every task on the runner cluster (task IDs are assigned at launch). */
  readonly taskArnPattern: string;
  /** The RunTask state's timeout: the run's time plus the task-start margin. */
  readonly taskTimeoutSeconds: number;
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/** Names of the states that find the run's task by `StartedBy`, stop it and wait until it is STOPPED. */
export const FIND_AND_STOP_STATES = [
  'LaunchFailed',
  'FindTask',
  'TaskFound',
  'StopTask',
  'WaitForStop',
  'DescribeTask',
  'TaskStopped',
  'CountCheck',
] as const;
/** Error of the execution when the task could not be confirmed STOPPED: the abort rule then stops it again. */
export const TASK_NOT_STOPPED_ERROR = 'Airlock.TaskNotStopped';

const SDK_TRANSIENT = ['Ecs.EcsException', 'Ecs.ServerException', 'Ecs.SdkClientException', 'Ecs.ThrottlingException'];

/**
 * The sandbox's launch workflow, the only thing the orchestrator may start in this account: it validates the
 * launch request (three strings), runs the one task-definition revision on the cluster's isolated subnets with its
 * own security group and no public IP, overriding only the containers' environment, and always answers with a
 * launch result. On every failure path (RunTask failed, caught, or timed out) it finds its task again by `StartedBy`
 * = its execution name, stops it and waits until it is STOPPED. JSONPath only (the local engine runs no JSONata);
 * no machine-level timeout (it would end the execution without the stop).
 *
 * Happy path: CheckRequest, RunTask, end: 2 state transitions.
 */
export class LaunchWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** Encrypts the definition and execution history (which holds the request's URLs). */
  readonly key: kms.Key;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: LaunchWorkflowProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    const clusterArn = props.cluster.clusterArn;
    const onCluster = { ArnEquals: { 'ecs:cluster': clusterArn } };

    const rejected = new sfn.Pass(this, 'RequestRejected', {
      comment: 'A field is missing or not a string: no task is started.',
      parameters: { outcome: LAUNCH_OUTCOME.REQUEST_REJECTED, containers: [] } satisfies LaunchResult,
    });

    // Where each per-run variable comes from: the request's fields, and the run ID = this execution's name.
    const variableSource: Record<string, string> = {
      ...Object.fromEntries(
        Object.entries(LAUNCH_REQUEST_VARIABLES).map(([field, variable]) => [variable, `$.${field}`]),
      ),
      [VARIABLE.RUN_ID]: '$$.Execution.Name',
    };
    const runTask = new sfn.CustomState(this, 'RunTask', {
      stateJson: {
        Type: 'Task',
        // CustomState, not EcsRunTask: that would grant PassRole on the (removed) task role too.
        Resource: 'arn:aws:states:::ecs:runTask.sync',
        TimeoutSeconds: props.taskTimeoutSeconds,
        Parameters: {
          Cluster: clusterArn,
          TaskDefinition: props.taskDefinition.taskDefinitionArn,
          LaunchType: 'FARGATE',
          NetworkConfiguration: {
            AwsvpcConfiguration: {
              Subnets: props.subnets.map((s) => s.subnetId),
              SecurityGroups: [props.securityGroup.securityGroupId],
              AssignPublicIp: 'DISABLED',
            },
          },
          'StartedBy.$': '$$.Execution.Name',
          Overrides: {
            ContainerOverrides: CONTAINER_NAMES.map((name) => ({
              Name: name,
              Environment: CONTAINER_VARIABLES[name].perRun.map((variable) => ({
                Name: variable,
                'Value.$': variableSource[variable],
              })),
            })),
          },
        },
        // Refusals of the RunTask call only (no task exists yet); a started task's failure is never retried.
        Retry: [
          {
            ErrorEquals: [...LAUNCH_RUN_TASK_RETRY.errors],
            IntervalSeconds: LAUNCH_RUN_TASK_RETRY.intervalSeconds,
            BackoffRate: LAUNCH_RUN_TASK_RETRY.backoffRate,
            MaxAttempts: LAUNCH_RUN_TASK_RETRY.maxAttempts,
          },
        ],
        // Only what finalize needs: exit codes by container name and the stopped reason (not the overrides).
        ResultSelector: {
          outcome: LAUNCH_OUTCOME.TASK_STOPPED,
          'containers.$': '$.Containers',
          'stoppedReason.$': '$.StoppedReason',
        },
      },
    });

    const checkRequest = new sfn.Choice(this, 'CheckRequest', {
      comment: 'Each field present and a string before anything runs (a missing path would fail the comparison).',
    });
    for (const field of LAUNCH_REQUEST_FIELDS) {
      checkRequest
        .when(sfn.Condition.isNotPresent(`$.${field}`), rejected)
        .when(sfn.Condition.not(sfn.Condition.isString(`$.${field}`)), rejected);
    }
    checkRequest.otherwise(runTask);

    const sdkRetry = {
      ErrorEquals: SDK_TRANSIENT,
      IntervalSeconds: LAUNCH_ECS_CALL.retry.intervalSeconds,
      BackoffRate: LAUNCH_ECS_CALL.retry.backoffRate,
      MaxAttempts: LAUNCH_ECS_CALL.retry.maxAttempts,
      JitterStrategy: 'FULL',
    };
    const notStopped = new sfn.Fail(this, 'TaskNotStopped', {
      error: TASK_NOT_STOPPED_ERROR,
      cause: 'The task could not be confirmed STOPPED; the abort rule stops it again.',
    });
    const catchToNotStopped = [{ ErrorEquals: ['States.ALL'], Next: 'TaskNotStopped' }];
    const ecsCall = (stateId: string, action: string, parameters: Record<string, unknown>, extra: object) =>
      new sfn.CustomState(this, stateId, {
        stateJson: {
          Type: 'Task',
          Resource: `arn:aws:states:::aws-sdk:ecs:${action}`,
          Parameters: { Cluster: clusterArn, ...parameters },
          // Bounds the path (LAUNCH_CLEANUP_MAX_SECONDS); a timeout is caught into TaskNotStopped.
          TimeoutSeconds: LAUNCH_ECS_CALL.timeoutSeconds,
          Retry: [sdkRetry],
          Catch: catchToNotStopped,
          ...extra,
        },
      });

    // The caught error's name only: a RunTask Cause can hold the task's overrides, URLs included.
    const launchFailed = new sfn.Pass(this, 'LaunchFailed', {
      parameters: { 'error.$': '$.failure.Error', checks: 0 },
    });
    const findTask = ecsCall(
      'FindTask',
      'listTasks',
      { 'StartedBy.$': '$$.Execution.Name', DesiredStatus: 'RUNNING' },
      { ResultSelector: { 'taskArns.$': '$.TaskArns' }, ResultPath: '$.found' },
    );
    const stopTask = ecsCall(
      'StopTask',
      'stopTask',
      { 'Task.$': '$.found.taskArns[0]', Reason: 'Stopped by the launch workflow after a failed or timed-out launch' },
      { ResultPath: null },
    );
    const waitForStop = new sfn.Wait(this, 'WaitForStop', {
      time: sfn.WaitTime.duration(Duration.seconds(LAUNCH_STOP_CHECK_INTERVAL_SECONDS)),
    });
    const describeTask = ecsCall(
      'DescribeTask',
      'describeTasks',
      { 'Tasks.$': 'States.Array($.found.taskArns[0])' },
      { ResultSelector: { 'tasks.$': '$.Tasks' }, ResultPath: '$.described' },
    );
    const countCheck = new sfn.Pass(this, 'CountCheck', {
      parameters: { 'error.$': '$.error', 'found.$': '$.found', 'checks.$': 'States.MathAdd($.checks, 1)' },
    });
    const reportFailure = new sfn.Pass(this, 'ReportLaunchFailed', {
      comment: 'No task of this execution is left running.',
      parameters: { outcome: LAUNCH_OUTCOME.LAUNCH_FAILED, containers: [], 'error.$': '$.error' },
    });
    const taskFound = new sfn.Choice(this, 'TaskFound')
      .when(sfn.Condition.isPresent('$.found.taskArns[0]'), stopTask)
      .otherwise(reportFailure);
    const taskStopped = new sfn.Choice(this, 'TaskStopped')
      // Gone from DescribeTasks or STOPPED: look again for any other task of this execution.
      .when(sfn.Condition.isNotPresent('$.described.tasks[0].LastStatus'), findTask)
      .when(sfn.Condition.stringEquals('$.described.tasks[0].LastStatus', 'STOPPED'), findTask)
      .when(sfn.Condition.numberGreaterThanEquals('$.checks', LAUNCH_STOP_CHECKS), notStopped)
      .otherwise(countCheck);
    launchFailed.next(findTask);
    findTask.next(taskFound);
    stopTask.next(waitForStop);
    waitForStop.next(describeTask);
    describeTask.next(taskStopped);
    countCheck.next(waitForStop);
    // States.ALL also matches States.Timeout, the timeout path.
    runTask.addCatch(launchFailed, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });

    this.key = new kms.Key(this, 'Key', {
      description: "Encrypts the launch workflow's definition and execution history",
      enableKeyRotation: true,
    });
    this.role = new iam.Role(this, 'Role', {
      description: 'Execution role of the launch workflow: runs, finds and stops the one runner task revision',
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': account },
        ArnEquals: { 'aws:SourceArn': props.stateMachineArn },
      }),
      inlinePolicies: {
        launch: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'RunTheOneRevision',
              actions: ['ecs:RunTask'],
              resources: [props.taskDefinition.taskDefinitionArn],
              conditions: onCluster,
            }),
            new iam.PolicyStatement({
              sid: 'PassExecutionRoleToEcs',
              actions: ['iam:PassRole'],
              resources: [props.executionRole.roleArn],
              conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
            }),
            new iam.PolicyStatement({
              sid: 'WatchAndStopRunnerTasks',
              actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
              resources: [props.taskArnPattern],
              conditions: onCluster,
            }),
            new iam.PolicyStatement({
              sid: 'FindRunnerTasks',
              actions: ['ecs:ListTasks'],
              // ListTasks takes no resource ARN (it names no task); ecs:cluster binds it to the runner cluster.
              resources: ['*'],
              conditions: onCluster,
            }),
            new iam.PolicyStatement({
              sid: 'SyncRunTaskEvents',
              actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
              resources: [`arn:${partition}:events:${region}:${account}:rule/StepFunctionsGetEventsForECSTaskRule`],
            }),
          ],
        }),
      },
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      role: this.role,
      definitionBody: sfn.DefinitionBody.fromChainable(checkRequest),
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(this.key),
      // Failures are recorded; execution data (which carries presigned URLs) never is.
      logs: {
        destination: new logs.LogGroup(this, 'Logs', { encryptionKey: props.logsKey, retention: props.logRetention }),
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
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecs:ListTasks names no task (it is bound to the one cluster by ecs:cluster); CDK adds logging and X-Ray actions that accept no resource ARN.',
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${props.taskArnPattern}]`,
      reason:
        'Task IDs are assigned at launch, so DescribeTasks/StopTask cannot name them in advance; limited to tasks on the one runner cluster (also by ecs:cluster).',
    });
  }
}
