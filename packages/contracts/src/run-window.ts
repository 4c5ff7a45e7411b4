import { TASK_START_MARGIN_SECONDS } from './launch.js';

/** URLs outlive the run's deadline by this much, so an upload started just before it can finish. */
export const URL_MARGIN_SECONDS = 60;
/** A presigned URL never lives longer than this (a chained role session lasts at most one hour anyway). */
export const MAX_URL_LIFETIME_SECONDS = 3600;

/** Every time limit of one run, in seconds from the moment prepare signs its URLs. */
export interface RunWindow {
  /** The runner's own deadline: Fargate's start-up margin plus the configured run timeout. */
  readonly deadlineSeconds: number;
  /** When the URLs (and the signer session behind them) expire. */
  readonly urlLifetimeSeconds: number;
  /** When the launch workflow must have stopped the task, whatever happened: no task outlives its URLs. */
  readonly hardStopSeconds: number;
}

/**
 * The one formula every limit of a run is derived from: deadline = start margin + timeout; URLs and the launch
 * workflow's hard stop = deadline + URL margin, never over one hour. After the hard stop no URL of the run works,
 * so a closed run's prefix cannot be written again and purge (or the arrival check) has the last word.
 */
export function runWindow(timeoutSeconds: number, taskStartMarginSeconds = TASK_START_MARGIN_SECONDS): RunWindow {
  const deadlineSeconds = taskStartMarginSeconds + timeoutSeconds;
  const urlLifetimeSeconds = Math.min(deadlineSeconds + URL_MARGIN_SECONDS, MAX_URL_LIFETIME_SECONDS);
  return { deadlineSeconds, urlLifetimeSeconds, hardStopSeconds: urlLifetimeSeconds };
}
