/**
 * Errors the data-plane workflow reports by name: Lambda turns `name` into the error type, the Express execution
 * fails with it, and the orchestrator branches on it.
 */
export class DataPlaneError extends Error {
  constructor(
    name: 'Airlock.BadRequest' | 'Airlock.SubmissionRejected' | 'Airlock.RunFailed' | 'Airlock.RunConflict',
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

export const badRequest = (message: string) => new DataPlaneError('Airlock.BadRequest', message);
