import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import {
  AIRLOCK_ERRORS,
  DATA_PLANE_ACTION,
  DATA_PLANE_ACTION_FIELD,
  RESULT_REPORT_KEY_FORMAT,
  launchRequestParameters,
  runWindow,
  type RunGrant,
} from '@airlock/contracts';
import { statePath } from './state-paths.js';

export interface AnalysisDefinitionProps {
  /** The data account's Express workflow (prepare | finalize | purge). */
  readonly dataPlaneStateMachineArn: string;
  /** Role in the data account that may start that workflow; assumed per task via `Credentials`. */
  readonly dataInvokerRoleArn: string;
  /** Role in the sandbox account that may start the launch workflow and follow its executions. */
  readonly sandboxLauncherRoleArn: string;
  /** The sandbox's launch workflow (Standard), which alone decides how the untrusted task runs. */
  readonly launchStateMachineArn: string;
  /** Hard deadline of the untrusted task, from the environment config. */
  readonly runTimeoutSeconds: number;
}

/** Errors worth retrying on the cross-account SDK calls: throttling and transient client faults. */
const SDK_TRANSIENT = ['Sfn.SdkClientException', 'Sfn.ThrottlingException'];

/** Where prepare's grant sits until RunUntrusted's launch result overwrites it, at the same path. */
const runGrant = statePath<RunGrant>('$.finalize.task');

/**
 * The analysis workflow, JSONPath only (the local rehearsal engine runs no JSONata). It carries identifiers, never
 * sensitive data; the presigned URLs exist in state only between ParseGrant and RunUntrusted, whose result
 * (or LaunchFailed) overwrites them. Every path reaches Purge before it ends.
 *
 * Happy path: Start, Prepare, PrepareSucceeded, ParseGrant, RunUntrusted, Finalize, Purge, Outcome, Done: 9 state
 * transitions, plus the launch workflow's 2.
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
        [DATA_PLANE_ACTION_FIELD]: DATA_PLANE_ACTION.prepare,
        'runId.$': '$$.Execution.Name',
        'submissionId.$': '$.submissionId',
      },
      purge: { [DATA_PLANE_ACTION_FIELD]: DATA_PLANE_ACTION.purge, 'runId.$': '$$.Execution.Name' },
    },
  });

  const prepare = dataPlaneCall('Prepare', '$.prepare', '$.prepare');

  const parseGrant = new sfn.Pass(scope, 'ParseGrant', {
    comment: "The grant (presigned URLs, deadline) is kept where RunUntrusted's result will overwrite it.",
    parameters: {
      finalize: {
        [DATA_PLANE_ACTION_FIELD]: DATA_PLANE_ACTION.finalize,
        'runId.$': '$$.Execution.Name',
        'task.$': 'States.StringToJson($.prepare.Output)',
      },
      'purge.$': '$.purge',
    },
  });

  // The sandbox's launch workflow, started under the launcher role with Name = the run ID: a retry cannot start a
  // second execution (and task) with the same URLs. Its worst case plus the polling lag bounds the hop.
  const runUntrusted = new sfn.CustomState(scope, 'RunUntrusted', {
    stateJson: {
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Credentials: { RoleArn: props.sandboxLauncherRoleArn },
      TimeoutSeconds: runWindow(props.runTimeoutSeconds).hardStopSeconds,
      Parameters: {
        StateMachineArn: props.launchStateMachineArn,
        'Name.$': '$$.Execution.Name',
        Input: launchRequestParameters(runGrant.path),
      },
      // Only the child's Output (the launch result): the `.sync:2` result also carries its Input, the URLs. Written
      // over the whole finalize request, grant included.
      ResultSelector: {
        [DATA_PLANE_ACTION_FIELD]: DATA_PLANE_ACTION.finalize,
        'runId.$': '$$.Execution.Name',
        'task.$': '$.Output',
      },
      ResultPath: '$.finalize',
      Retry: [
        { ErrorEquals: SDK_TRANSIENT, IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: 'FULL' },
      ],
    },
  });

  // A failed hop keeps only the error's name: its Cause can hold the child's input, URLs included. The state is
  // rebuilt, so neither the Cause nor the grant stays in it.
  const launchFailed = new sfn.Pass(scope, 'LaunchFailed', {
    parameters: {
      finalize: {
        [DATA_PLANE_ACTION_FIELD]: DATA_PLANE_ACTION.finalize,
        'runId.$': '$$.Execution.Name',
        task: { 'Error.$': '$.launchError.Error' },
      },
      'purge.$': '$.purge',
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
  runUntrusted.addCatch(launchFailed, { ...catchAll, resultPath: '$.launchError' });
  launchFailed.next(finalize);
  finalize.addCatch(purge, { ...catchAll, resultPath: '$.finalize' });
  purge.addCatch(purgeFailed, { ...catchAll, resultPath: '$.purge' });

  const prepareSucceeded = new sfn.Choice(scope, 'PrepareSucceeded')
    .when(
      sfn.Condition.stringEquals('$.prepare.Status', 'SUCCEEDED'),
      parseGrant.next(runUntrusted).next(finalize).next(purge),
    )
    .otherwise(purge);
  purge.next(outcome);
  return start.next(prepare).next(prepareSucceeded);
}
