/**
 * The runner's exit codes, which reach finalize through the launch result. Only 0 means an output was delivered,
 * whatever the submission did.
 */
export const RUNNER_EXIT = {
  DELIVERED: 0,
  BAD_ENVIRONMENT: 2,
  DOWNLOAD_FAILED: 3,
  UPLOAD_REJECTED: 4,
  DEADLINE: 5,
} as const;
