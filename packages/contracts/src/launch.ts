import { VARIABLE } from './runner-task.js';

/**
 * The hop between the orchestrator and the sandbox's launch workflow (`<prefix>-<env>-launch`, a Standard state
 * machine the orchestrator starts with `states:startExecution.sync:2`). The orchestrator passes only the launch
 * request; the launch workflow fixes everything else about the task and always answers with a launch result.
 */

/** The launch workflow's whole input: the run grant's three strings, nothing that shapes the task. */
export interface LaunchRequest {
  /** Presigned GET of this run's input; only the `fetch` container receives it. */
  readonly inputUrl: string;
  /** JSON of the presigned POST of this run's output; only the `deliver` container receives it. */
  readonly outputPost: string;
  /** Epoch milliseconds, as a string. */
  readonly deadline: string;
}

/** Every field of {@link LaunchRequest}; the launch workflow refuses a request without each of them as a string. */
export const LAUNCH_REQUEST_FIELDS = [
  'inputUrl',
  'outputPost',
  'deadline',
] as const satisfies readonly (keyof LaunchRequest)[];

/**
 * The container variable each request field travels in. Which containers get which variable is
 * `CONTAINER_VARIABLES[name].perRun`; `RUN_ID` is not in the request: the launch workflow sets it to its own
 * execution name (= the run ID, chosen by the orchestrator as `Name` of the execution).
 */
export const LAUNCH_REQUEST_VARIABLES = {
  inputUrl: VARIABLE.INPUT_URL,
  outputPost: VARIABLE.OUTPUT_POST,
  deadline: VARIABLE.RUN_DEADLINE,
} as const satisfies Record<keyof LaunchRequest, string>;

/**
 * The `Parameters` (JSONPath) that build a launch request from a state path holding an object with the request's
 * fields, e.g. `launchRequestParameters('$.finalize.task')` gives `{ "inputUrl.$": "$.finalize.task.inputUrl", … }`.
 */
export function launchRequestParameters(path: string): Record<`${keyof LaunchRequest}.$`, string> {
  if (!/^\$(\.[A-Za-z][A-Za-z0-9]*)*$/.test(path)) {
    throw new Error(`launch request path must look like "$.a.b" (letters and digits), got "${path}"`);
  }
  return {
    'inputUrl.$': `${path}.inputUrl`,
    'outputPost.$': `${path}.outputPost`,
    'deadline.$': `${path}.deadline`,
  };
}

/** How a launch ended; every launch execution that is not stopped from outside ends SUCCEEDED with one of these. */
export const LAUNCH_OUTCOME = {
  /** The task ran and stopped by itself; `containers` and `stoppedReason` are ECS's. */
  TASK_STOPPED: 'TASK_STOPPED',
  /** The request lacked a field or a field was not a string; no task was started. */
  REQUEST_REJECTED: 'REQUEST_REJECTED',
  /** RunTask failed or the task outlived the launch timeout; any task was found by `StartedBy`, stopped, and seen STOPPED. */
  LAUNCH_FAILED: 'LAUNCH_FAILED',
} as const;
export type LaunchOutcome = (typeof LAUNCH_OUTCOME)[keyof typeof LAUNCH_OUTCOME];

/** One stopped container, as ECS reports it (`DescribeTasks`' `Containers[]`, PascalCase kept). */
export interface LaunchedContainer {
  /** One of `CONTAINER_NAMES`; judge a container by this name, never by its position. */
  readonly Name?: string;
  /** Absent when the container never ran (e.g. `run` and `deliver` after `fetch` failed) or was killed by the stop. */
  readonly ExitCode?: number;
  readonly LastStatus?: string;
  readonly Reason?: string;
}

/**
 * The launch workflow's output, which the orchestrator passes to finalize: nothing the submission wrote. The
 * orchestrator keeps only this (the child's `Output`), never the `.sync:2` result's `Input`, which holds the URLs.
 */
export interface LaunchResult {
  readonly outcome: LaunchOutcome;
  /** TASK_STOPPED: ECS's containers; otherwise empty. */
  readonly containers: readonly LaunchedContainer[];
  /** TASK_STOPPED: ECS's stopped reason. */
  readonly stoppedReason?: string;
  /** LAUNCH_FAILED: the caught error's name (e.g. `States.Timeout`). Never its `Cause`: a RunTask cause can hold the task's overrides, URLs included. */
  readonly error?: string;
}

/** Time Fargate may take to place, pull and start the task before the run's own deadline starts to matter. */
export const TASK_START_MARGIN_SECONDS = 180;

/** The launch workflow's RunTask timeout, and the task definition's RUN_MAX_SECONDS: the run's time plus the start margin. */
export const launchTaskTimeoutSeconds = (runTimeoutSeconds: number): number =>
  runTimeoutSeconds + TASK_START_MARGIN_SECONDS;

/**
 * Retries of the launch workflow's RunTask for throttling of the RunTask call only: a throttled call created no
 * task, so a retry cannot start a second task holding the same URLs. A server error (HTTP 500) does not prove that
 * (ECS may have created the task and failed to answer), so it is not retried; nor is a started task that fails or
 * times out (`States.TaskFailed` / `States.Timeout` go to find-and-stop). Unverified on AWS: whether throttling is
 * reported as `ECS.ThrottlingException` or only as the generic `ECS.AmazonECSException` (then it is not retried).
 */
export const LAUNCH_RUN_TASK_RETRY = {
  errors: ['ECS.ThrottlingException'],
  intervalSeconds: 2,
  backoffRate: 2,
  maxAttempts: 3,
} as const;
/** How long one refused RunTask call may take at most before its error (an SDK call's timeout, generously). */
const RUN_TASK_CALL_MAX_SECONDS = 60;
/** Worst case spent on RunTask calls that were refused and retried, waits included, before the attempt that runs. */
export const LAUNCH_RUN_TASK_RETRY_MAX_SECONDS = Array.from(
  { length: LAUNCH_RUN_TASK_RETRY.maxAttempts },
  (_, i) => RUN_TASK_CALL_MAX_SECONDS + LAUNCH_RUN_TASK_RETRY.intervalSeconds * LAUNCH_RUN_TASK_RETRY.backoffRate ** i,
).reduce((a, b) => a + b, 0);

/** After a StopTask, how often and how many times the launch workflow checks that the task is STOPPED. */
export const LAUNCH_STOP_CHECK_INTERVAL_SECONDS = 5;
export const LAUNCH_STOP_CHECKS = 30;

/**
 * Each ECS call of the find-and-stop path (ListTasks, StopTask, DescribeTasks, all safe to repeat): a time limit
 * per attempt, so the path has a worst case at all (a call that times out fails the execution, and the abort rule
 * stops the task), and the retries of transient SDK errors.
 */
export const LAUNCH_ECS_CALL = {
  timeoutSeconds: 10,
  retry: { intervalSeconds: 1, backoffRate: 2, maxAttempts: 3 },
} as const;
/** Worst case of one such call: every attempt runs to its time limit, with the retry waits between them. */
export const LAUNCH_ECS_CALL_MAX_SECONDS =
  (1 + LAUNCH_ECS_CALL.retry.maxAttempts) * LAUNCH_ECS_CALL.timeoutSeconds +
  Array.from(
    { length: LAUNCH_ECS_CALL.retry.maxAttempts },
    (_, i) => LAUNCH_ECS_CALL.retry.intervalSeconds * LAUNCH_ECS_CALL.retry.backoffRate ** i,
  ).reduce((a, b) => a + b, 0);
/**
 * Upper bound of the launch workflow's find-and-stop path: a wait and a DescribeTasks for each stop check and the
 * last one (LAUNCH_STOP_CHECKS + 1), one StopTask and two ListTasks (before the stop and after it), each call at its
 * worst. One task per launch: RunTask is retried only when throttled, which starts none.
 */
export const LAUNCH_CLEANUP_MAX_SECONDS =
  (LAUNCH_STOP_CHECKS + 1) * (LAUNCH_STOP_CHECK_INTERVAL_SECONDS + LAUNCH_ECS_CALL_MAX_SECONDS) +
  3 * LAUNCH_ECS_CALL_MAX_SECONDS;
/** How late a cross-account `.sync` (polled) may notice that the child execution ended. */
export const LAUNCH_POLL_LAG_SECONDS = 60;

/** The orchestrator's timeout on the hop: longer than the launch workflow's worst case plus the polling lag. */
export const launchHopTimeoutSeconds = (runTimeoutSeconds: number): number =>
  LAUNCH_RUN_TASK_RETRY_MAX_SECONDS +
  launchTaskTimeoutSeconds(runTimeoutSeconds) +
  LAUNCH_CLEANUP_MAX_SECONDS +
  LAUNCH_POLL_LAG_SECONDS;
