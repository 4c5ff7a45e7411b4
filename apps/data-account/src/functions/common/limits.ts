import { DEFAULT_ARCHIVE_LIMITS, TASK_START_MARGIN_SECONDS, type ArchiveLimits } from '@airlock/contracts';

/** Bounds the trusted steps enforce; the runner enforces the same archive rules again in the sandbox. */
export interface DataPlaneLimits {
  readonly archive: ArchiveLimits;
  /** Largest output.json the presigned POST admits (content-length-range) and finalize reads. */
  readonly maxOutputBytes: number;
  /** Time between prepare and the task's start that the deadline allows for Fargate to place and pull. */
  readonly taskStartMarginMs: number;
  /** URLs outlive the deadline by this much, so an upload started just before it can finish. */
  readonly urlMarginMs: number;
  /** A presigned URL never lives longer than this, whatever the configured timeout. */
  readonly maxUrlLifetimeMs: number;
  /** Run records are kept this long, then expire through the table's TTL. */
  readonly recordRetentionDays: number;
}

export const DATA_PLANE_LIMITS: DataPlaneLimits = {
  archive: DEFAULT_ARCHIVE_LIMITS,
  maxOutputBytes: 256 * 1024,
  taskStartMarginMs: TASK_START_MARGIN_SECONDS * 1000,
  urlMarginMs: 60_000,
  maxUrlLifetimeMs: 3_600_000,
  recordRetentionDays: 90,
};
