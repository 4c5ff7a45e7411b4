import { DEFAULT_ARCHIVE_LIMITS } from '@airlock/shared/archive-policy';

/** Bounds the trusted steps enforce; the runner enforces the same archive rules again in the sandbox. */
export const DATA_PLANE_LIMITS = {
  archive: DEFAULT_ARCHIVE_LIMITS,
  /** Largest output.json the presigned POST admits (content-length-range) and finalize reads. */
  maxOutputBytes: 256 * 1024,
  /** Time between prepare and the task's start that the deadline allows for Fargate to place and pull. */
  taskStartMarginMs: 180_000,
  /** URLs outlive the deadline by this much, so an upload started just before it can finish. */
  urlMarginMs: 60_000,
  /** A presigned URL never lives longer than this, whatever the configured timeout. */
  maxUrlLifetimeMs: 3_600_000,
  /** Run records are kept this long, then expire through the table's TTL. */
  recordRetentionDays: 90,
} as const;
