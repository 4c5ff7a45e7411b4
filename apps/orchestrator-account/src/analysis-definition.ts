import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import {
  AIRLOCK_ERRORS,
  DATA_PLANE_ACTION,
  RESULT_REPORT_KEY_FORMAT,
  RUN_GRANT_VARIABLES,
  TASK_START_MARGIN_SECONDS,
  type LaunchConfig,
  type LaunchResult,
  type RunGrant,
} from '@airlock/contracts';
import { selectFields, statePath } from './state-paths.js';

export interface AnalysisDefinitionProps {
  /** The data account's Express workflow (prepare | finalize | purge). */
  readonly dataPlaneStateMachineArn: string;
  /** Role in the data account that may start that workflow; assumed per task via `Credentials`. */
  readonly dataInvokerRoleArn: string;
  /** Role in the sandbox account that may read the launch config and run the runner task. */
  readonly sandboxLauncherRoleArn: string;
  /** SSM parameter in the sandbox account holding the launch config. */
  readonly launchConfigParameterName: string;
  /** Hard deadline of the untrusted task, from the environment config. */
  readonly runTimeoutSeconds: number;
}

/** Errors worth retrying on the cross-account SDK calls: throttling and transient client faults. */
const SDK_TRANSIENT = [
  'Sfn.SdkClientException',
  'Sfn.ThrottlingException',
  'Ssm.SdkClientException',
  'Ssm.ThrottlingException',
];
/** ECS throttling and capacity errors on RunTask (reported as ECS.<exception>). */
const ECS_TRANSIENT = [
  'ECS.AmazonECSException',
  'ECS.ThrottlingException',
  'ECS.LimitExceededException',
  'ECS.ServerException',
];

/** Where the sandbox's launch config sits once LoadSandboxConfig has read it. */
const launchConfig = statePath<LaunchConfig>('$.launch.config');
/** Where prepare's grant sits until RunUntrusted's launch result overwrites it, at the same path. */
const runGrant = statePath<RunGrant>('$.finalize.task');

/**
 * The analysis workflow, JSONPath only (the local rehearsal engine runs no JSONata). It carries identifiers, never
 * sensitive data; the presigned URLs exist in state only between ParseGrant and RunUntrusted, whose result
 * overwrites them. Every path reaches Purge before it ends.
 *
 * Happy path: Start, Prepare, PrepareSucceeded, ParseGrant, LoadSandboxConfig, RunUntrusted, Finalize, Purge,
 * Outcome, Done: 10 state transitions.
 */
export function analysisDefinition(scope: Construct, props: AnalysisDefinitionProps): sfn.IChainable {
  const dataPlaneCall = (id: string, requestPath: string, resultPath: string) =>
    new sfn.CustomState(scope, id, {
      stateJson: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:sfn:startSyncExecution',
        Credentials: { RoleArn: props.dataInvokerRoleArn },
        Parameters: {
          StateMachineArn: props.dataPlaneStateMachineArn,
          'Input.$': `States.JsonToString(${requestPath})`,
        },
        ResultPath: resultPath,
        Retry: [
          { ErrorEquals: SDK_TRANSIENT, IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: 'FULL' },
        ],
      },
    });

  const start = new sfn.Pass(scope, 'Start', {
    comment: 'The run ID is the execution name; each data-plane request is built once, from identifiers only.',
    parameters: {
      prepare: {
        action: DATA_PLANE_ACTION.prepare,
        'runId.$': '$$.Execution.Name',
        'submissionId.$': '$.submissionId',
      },
      purge: { action: DATA_PLANE_ACTION.purge, 'runId.$': '$$.Execution.Name' },
    },
  });

  const prepare = dataPlaneCall('Prepare', '$.prepare', '$.prepare');

  const parseGrant = new sfn.Pass(scope, 'ParseGrant', {
    comment: "The grant (presigned URLs, deadline) is kept where RunUntrusted's result will overwrite it.",
    parameters: {
      finalize: {
        action: DATA_PLANE_ACTION.finalize,
        'runId.$': '$$.Execution.Name',
        'task.$': 'States.StringToJson($.prepare.Output)',
      },
      'purge.$': '$.purge',
    },
  });

  const loadSandboxConfig = new sfn.CustomState(scope, 'LoadSandboxConfig', {
    stateJson: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:ssm:getParameter',
      Credentials: { RoleArn: props.sandboxLauncherRoleArn },
      Parameters: { Name: props.launchConfigParameterName },
      ResultSelector: { 'config.$': 'States.StringToJson($.Parameter.Value)' },
      ResultPath: '$.launch',
      Retry: [
        { ErrorEquals: SDK_TRANSIENT, IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: 'FULL' },
      ],
    },
  });

  const runUntrusted = new sfn.CustomState(scope, 'RunUntrusted', {
    stateJson: {
      Type: 'Task',
      Resource: 'arn:aws:states:::ecs:runTask.sync',
      Credentials: { RoleArn: props.sandboxLauncherRoleArn },
      TimeoutSeconds: props.runTimeoutSeconds + TASK_START_MARGIN_SECONDS,
      Parameters: {
        LaunchType: 'FARGATE',
        'Cluster.$': launchConfig.field('clusterArn'),
        'TaskDefinition.$': launchConfig.field('taskDefinitionFamily'),
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            'Subnets.$': launchConfig.field('subnets'),
            'SecurityGroups.$': launchConfig.field('securityGroups'),
            AssignPublicIp: 'DISABLED',
          },
        },
        Overrides: {
          ContainerOverrides: [
            {
              'Name.$': launchConfig.field('containerName'),
              Environment: Object.entries(RUN_GRANT_VARIABLES).map(([field, name]) => ({
                Name: name,
                'Value.$': runGrant.field(field as keyof RunGrant),
              })),
            },
          ],
        },
      },
      // Only what Finalize needs; writing it over the grant drops the presigned URLs from state.
      ResultSelector: selectFields<LaunchResult>({ containers: '$.Containers', stoppedReason: '$.StoppedReason' }),
      ResultPath: runGrant.path,
      Retry: [
        {
          ErrorEquals: ECS_TRANSIENT,
          IntervalSeconds: 5,
          BackoffRate: 2,
          MaxAttempts: 4,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
        },
      ],
    },
  });

  const finalize = dataPlaneCall('Finalize', '$.finalize', '$.finalize');
  const purge = dataPlaneCall('Purge', '$.purge', '$.purge');

  const fail = (id: string, error: string, cause: string) => new sfn.Fail(scope, id, { error, cause });
  const purgeFailed = fail(
    'PurgeFailed',
    AIRLOCK_ERRORS.PurgeFailed,
    'Run objects could not be deleted; the runs/ lifecycle rule removes them within a day.',
  );
  const prepareFailed = fail(
    'PrepareFailed',
    AIRLOCK_ERRORS.PrepareFailed,
    'The submission was not prepared; the run record says why.',
  );
  const runFailed = fail(
    'RunFailed',
    AIRLOCK_ERRORS.RunFailed,
    'The submission did not produce a valid result; the run record says why.',
  );
  const finalizeFailed = fail(
    'FinalizeFailed',
    AIRLOCK_ERRORS.FinalizeFailed,
    'The run output could not be finalized; the run record says why.',
  );

  const done = new sfn.Pass(scope, 'Done', {
    parameters: {
      'runId.$': '$$.Execution.Name',
      status: 'SUCCEEDED',
      'resultKey.$': `States.Format('${RESULT_REPORT_KEY_FORMAT}', $$.Execution.Name)`,
    },
  });

  // Each failure is recorded in the run record by the data plane; the Fail states name which step failed.
  // A Choice on a missing path is a runtime error, so presence is tested before every comparison.
  const outcome = new sfn.Choice(scope, 'Outcome')
    .when(sfn.Condition.isNotPresent('$.purge.Status'), purgeFailed)
    .when(sfn.Condition.not(sfn.Condition.stringEquals('$.purge.Status', 'SUCCEEDED')), purgeFailed)
    .when(sfn.Condition.isPresent('$.prepare'), prepareFailed)
    .when(sfn.Condition.isNotPresent('$.finalize.Status'), finalizeFailed)
    .when(sfn.Condition.stringEquals('$.finalize.Status', 'SUCCEEDED'), done)
    .when(sfn.Condition.isNotPresent('$.finalize.Error'), finalizeFailed)
    .when(sfn.Condition.stringEquals('$.finalize.Error', AIRLOCK_ERRORS.RunFailed), runFailed)
    .otherwise(finalizeFailed);

  const catchAll = { errors: [sfn.Errors.ALL] };
  prepare.addCatch(purge, { ...catchAll, resultPath: '$.prepare' });
  loadSandboxConfig.addCatch(finalize, { ...catchAll, resultPath: runGrant.path });
  runUntrusted.addCatch(finalize, { ...catchAll, resultPath: runGrant.path });
  finalize.addCatch(purge, { ...catchAll, resultPath: '$.finalize' });
  purge.addCatch(purgeFailed, { ...catchAll, resultPath: '$.purge' });

  const prepareSucceeded = new sfn.Choice(scope, 'PrepareSucceeded')
    .when(
      sfn.Condition.stringEquals('$.prepare.Status', 'SUCCEEDED'),
      parseGrant.next(loadSandboxConfig).next(runUntrusted).next(finalize).next(purge),
    )
    .otherwise(purge);
  purge.next(outcome);
  return start.next(prepare).next(prepareSucceeded);
}
