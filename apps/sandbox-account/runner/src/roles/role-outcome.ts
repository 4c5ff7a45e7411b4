import type { CONTAINER_EXIT } from '@airlock/contracts';

/** How a container's role ended: its exit code and one log line (never a URL: they grant access until expiry). */
export interface RoleOutcome {
  readonly exitCode: (typeof CONTAINER_EXIT)[keyof typeof CONTAINER_EXIT];
  readonly message: string;
}
