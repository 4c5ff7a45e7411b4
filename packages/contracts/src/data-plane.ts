/** The request field the data account's Express workflow routes on; each action is one trusted Lambda step. */
export const DATA_PLANE_ACTION_FIELD = 'action';
export const DATA_PLANE_ACTION = { prepare: 'prepare', finalize: 'finalize', purge: 'purge' } as const;
export type DataPlaneAction = (typeof DATA_PLANE_ACTION)[keyof typeof DATA_PLANE_ACTION];

/**
 * Error names that cross a boundary. The data-plane steps throw the first four (Lambda turns `name` into the error
 * type the Express execution fails with, and the orchestrator branches on it); the analysis workflow ends in the
 * last four, which operators and the rehearsal read.
 */
export const AIRLOCK_ERRORS = {
  BadRequest: 'Airlock.BadRequest',
  SubmissionRejected: 'Airlock.SubmissionRejected',
  RunConflict: 'Airlock.RunConflict',
  RunFailed: 'Airlock.RunFailed',
  PrepareFailed: 'Airlock.PrepareFailed',
  FinalizeFailed: 'Airlock.FinalizeFailed',
  PurgeFailed: 'Airlock.PurgeFailed',
} as const;
export type AirlockErrorName = (typeof AIRLOCK_ERRORS)[keyof typeof AIRLOCK_ERRORS];
