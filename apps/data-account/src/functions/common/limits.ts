import { SUBMISSION_LIMITS, TASK_START_MARGIN_SECONDS, type ArchiveLimits } from '@airlock/contracts';

/** Bounds the trusted steps enforce; the runner enforces the same archive rules again in the sandbox. */
export interface DataPlaneLimits {
  readonly archive: ArchiveLimits;
  /** Largest output.json the presigned POST admits (content-length-range) and finalize reads. */
  readonly maxOutputBytes: number;
  /** Time between prepare and the task's start that the deadline allows for Fargate to place and pull. */
  readonly taskStartMarginMs: number;
}

export const DATA_PLANE_LIMITS: DataPlaneLimits = {
  archive: SUBMISSION_LIMITS.archive,
  maxOutputBytes: SUBMISSION_LIMITS.maxOutputBytes,
  taskStartMarginMs: TASK_START_MARGIN_SECONDS * 1000,
};
