import { AIRLOCK_ERRORS } from '@airlock/contracts';

type DataPlaneErrorName = (typeof AIRLOCK_ERRORS)['BadRequest' | 'SubmissionRejected' | 'RunFailed' | 'RunConflict'];

/**
 * Errors the data-plane workflow reports by name: Lambda turns `name` into the error type, the Express execution
 * fails with it, and the orchestrator branches on it.
 */
export class DataPlaneError extends Error {
  constructor(name: DataPlaneErrorName, message: string) {
    super(message);
    this.name = name;
  }
}

export const badRequest = (message: string) => new DataPlaneError(AIRLOCK_ERRORS.BadRequest, message);
