import type { Execution } from './execute.js';

/**
 * `output.json`, the one object the runner delivers. The data account's finalize step treats it as untrusted: it
 * re-validates size and shape before anything reaches `results/`.
 */
export type RunnerOutput =
  | {
      readonly schemaVersion: 1;
      readonly status: 'COMPLETED' | 'TIMED_OUT';
      readonly execution: Execution;
      readonly result?: unknown;
      readonly resultError?: string;
    }
  | {
      readonly schemaVersion: 1;
      /** The archive or its manifest broke the rules; nothing of the submission ran. */
      readonly status: 'REJECTED';
      readonly rejection: string;
    };

export const EXIT = {
  /** An output was delivered, whatever the submission did. */
  DELIVERED: 0,
  BAD_ENVIRONMENT: 2,
  DOWNLOAD_FAILED: 3,
  UPLOAD_REJECTED: 4,
  DEADLINE: 5,
} as const;
