import { launchHopTimeoutSeconds, launchTaskTimeoutSeconds, TASK_START_MARGIN_SECONDS } from './launch.js';

/** URLs outlive the run's deadline by this much, so an upload started just before it can finish. */
export const URL_MARGIN_SECONDS = 60;
/** A presigned URL never lives longer than this (a chained role session lasts at most one hour anyway). */
export const MAX_URL_LIFETIME_SECONDS = 3600;

/** Every time limit of one run, in seconds. */
export interface RunWindow {
  /** From prepare: the runner's own deadline, Fargate's start-up margin plus the configured run timeout. */
  readonly deadlineSeconds: number;
  /** From prepare: when the URLs (and the signer session behind them) expire. */
  readonly urlLifetimeSeconds: number;
  /** From the launch workflow's RunTask: its timeout on the task (also the task definition's RUN_MAX_SECONDS). */
  readonly taskTimeoutSeconds: number;
  /**
   * From the orchestrator's hop: the launch workflow's worst case (RunTask refusals retried, the task's timeout,
   * find-and-stop, polling lag). By then the task is stopped, or the launch failed and its reaper stops it.
   */
  readonly hardStopSeconds: number;
  /**
   * How long the late-object sweeper must treat the run as closed, and the `runs/` lifecycle backstop must outlast:
   * the later of the URL expiry and the hard stop. Only a working URL can create an object of the run, so the URL
   * expiry alone bounds writes; the hard stop is included so the window also covers a task that is still alive.
   */
  readonly sweepSeconds: number;
}

/**
 * The one formula every time limit of a run is derived from. deadline = start margin + timeout (from prepare);
 * URLs expire at deadline + URL margin, never over one hour (from prepare); the launch workflow gives the task
 * start margin + timeout from its RunTask (never before the deadline, as RunTask comes after prepare); the
 * orchestrator gives up on the hop at the launch workflow's worst case (`launchHopTimeoutSeconds`); the sweep
 * window is the later of the URL expiry and that hard stop.
 */
export function runWindow(timeoutSeconds: number, taskStartMarginSeconds = TASK_START_MARGIN_SECONDS): RunWindow {
  const deadlineSeconds = taskStartMarginSeconds + timeoutSeconds;
  const urlLifetimeSeconds = Math.min(deadlineSeconds + URL_MARGIN_SECONDS, MAX_URL_LIFETIME_SECONDS);
  const hardStopSeconds = launchHopTimeoutSeconds(timeoutSeconds);
  return {
    deadlineSeconds,
    urlLifetimeSeconds,
    taskTimeoutSeconds: launchTaskTimeoutSeconds(timeoutSeconds),
    hardStopSeconds,
    sweepSeconds: Math.max(urlLifetimeSeconds, hardStopSeconds),
  };
}
