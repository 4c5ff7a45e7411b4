import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '@airlock/contracts';

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
  archive: DEFAULT_ARCHIVE_LIMITS,
  outputTailBytes: 8 * 1024,
  maxResultBytes: 64 * 1024,
  uploadReserveMs: 10_000,
};
