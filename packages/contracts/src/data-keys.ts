/**
 * Identifiers and where a run's data lives: S3 object keys and DynamoDB partition keys shared by the operator CLI,
 * the data plane and the rehearsal. IDs are restricted so they can sit in a key, an execution name and a URL.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const ID_RULE = '1-64 letters, digits, "_" or "-", starting with a letter or digit';

export const isValidId = (id: unknown): id is string => typeof id === 'string' && ID_PATTERN.test(id);

export const uploadObjectKey = (submissionId: string): string => `uploads/${submissionId}.tar.gz`;
/** Where every run's scratch objects live; an object created under it after its run is closed is deleted. */
export const RUN_PREFIX = 'runs/';
export const runPrefix = (runId: string): string => `${RUN_PREFIX}${runId}/`;
export const runInputKey = (runId: string): string => `${runPrefix(runId)}input.tar.gz`;
export const runOutputKey = (runId: string): string => `${runPrefix(runId)}output.json`;
/** Where a run's trusted report lands; `{}` is the run ID (the orchestrator fills it in with `States.Format`). */
export const RESULT_REPORT_KEY_FORMAT = 'results/{}/report.json';
export const resultReportKey = (runId: string): string => RESULT_REPORT_KEY_FORMAT.replace('{}', runId);

/** Partition keys of the runs table (attribute `pk`). */
export const submissionRecordKey = (submissionId: string): string => `submission#${submissionId}`;
export const runRecordKey = (runId: string): string => `run#${runId}`;
