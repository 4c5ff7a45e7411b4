import { SUBMISSION_LIMITS, type ArchiveLimits } from '@airlock/contracts';

/** Bounds on everything the runner reads from or keeps of the submission. */
export interface RunnerLimits {
  readonly archive: ArchiveLimits;
  /** Kept from the end of each of stdout and stderr. */
  readonly outputTailBytes: number;
  /** Largest `result.json` the runner passes on. */
  readonly maxResultBytes: number;
  /** Time kept back before the deadline for the upload of `output.json`. */
  readonly uploadReserveMs: number;
}

export const RUNNER_LIMITS: RunnerLimits = {
  archive: SUBMISSION_LIMITS.archive,
  outputTailBytes: SUBMISSION_LIMITS.outputTailBytes,
  maxResultBytes: SUBMISSION_LIMITS.maxResultBytes,
  uploadReserveMs: SUBMISSION_LIMITS.uploadReserveSeconds * 1000,
};
