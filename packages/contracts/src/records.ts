import { submissionRecordKey, uploadObjectKey } from './data-keys.js';

/** DynamoDB attribute values as the SDK writes them, without depending on the SDK. */
type Attribute = { readonly S: string } | { readonly N: string };

/** An uploaded submission, as whoever uploads it (the operator CLI, the rehearsal) knows it. */
export interface SubmissionUpload {
  readonly submissionId: string;
  /** Hex SHA-256 of the archive, as the uploader computed it. */
  readonly sha256: string;
  readonly bytes: number;
  /** Who uploaded it: an operator's identity ARN, or `rehearsal`. */
  readonly submitter: string;
  readonly receivedAt: Date;
  /** How long the record is kept (the environment's `retention.submissionRecordDays`); then DynamoDB's TTL expires it. */
  readonly retentionDays: number;
}

/** A submission waits to run (`UPLOADED`) until one prepare claims it for its run (`CLAIMED`); it never runs twice. */
export type SubmissionStatus = 'UPLOADED' | 'CLAIMED';

/**
 * The submission record's item in the runs table. Write it only if absent (`SUBMISSION_RECORD_CONDITION`), before
 * the archive: the record decides who owns the submission ID, and the archive is then written only if absent too.
 */
export function submissionRecordItem(upload: SubmissionUpload): Record<string, Attribute> {
  return {
    pk: { S: submissionRecordKey(upload.submissionId) },
    status: { S: 'UPLOADED' satisfies SubmissionStatus },
    archiveKey: { S: uploadObjectKey(upload.submissionId) },
    sha256: { S: upload.sha256 },
    bytes: { N: String(upload.bytes) },
    submitter: { S: upload.submitter },
    receivedAt: { S: upload.receivedAt.toISOString() },
    expiresAt: { N: String(Math.floor(upload.receivedAt.getTime() / 1000) + upload.retentionDays * 86_400) },
  };
}

/** Every attribute `submissionRecordItem` writes: an uploader's permission names exactly these. */
export const SUBMISSION_RECORD_ATTRIBUTES = [
  'pk',
  'status',
  'archiveKey',
  'sha256',
  'bytes',
  'submitter',
  'receivedAt',
  'expiresAt',
] as const;

/** A submission ID is used once: a second upload under it is refused, never silently overwritten. */
export const SUBMISSION_RECORD_CONDITION = 'attribute_not_exists(pk)';

/**
 * `PREPARING`/`PREPARED`: the run is open and its objects may be written. `FINALIZING`: finalize has closed the run
 * before reading its output, so anything written under `runs/<runId>/` from now on is deleted on arrival.
 */
export type RunStatus = 'PREPARING' | 'PREPARED' | 'FINALIZING' | 'SUCCEEDED' | 'FAILED';

/** Statuses in which a run's objects may still be created; any other status (or no record) means closed. */
export const OPEN_RUN_STATUSES: readonly RunStatus[] = ['PREPARING', 'PREPARED'];

/** A run's record, read by the data plane, the operator CLI's `status` and the rehearsal's invariant checks. */
export interface RunRecord {
  readonly runId: string;
  readonly submissionId: string;
  readonly status: RunStatus;
  readonly reason?: string;
  readonly resultKey?: string;
  /** Hex SHA-256 of the input the run was given (the checked archive). */
  readonly inputSha256?: string;
  /** A random ID of this run's record: a reused run ID gets a new one, and the run's report must repeat it. */
  readonly attempt?: string;
  /**
   * The end of the submission's stdout and stderr (at most `SUBMISSION_LIMITS.outputTailBytes` each), once it ran:
   * untrusted text, to be shown only through a filter that drops control and escape sequences.
   */
  readonly stdoutTail?: string;
  readonly stderrTail?: string;
}

/**
 * Every attribute a run record has. The data plane's roles may touch these and nothing else of the table
 * (`dynamodb:Attributes`), and only under `run#` keys (`dynamodb:LeadingKeys`), unless listed below.
 */
export const RUN_RECORD_ATTRIBUTES = [
  'pk',
  'runId',
  'submissionId',
  'status',
  'attempt',
  'createdAt',
  'updatedAt',
  'expiresAt',
  'reason',
  'resultKey',
  'inputSha256',
  'stdoutTail',
  'stderrTail',
  'entries',
  'unpackedBytes',
] as const;

/** What prepare may read and write of a submission record to check and claim it: never who submitted it. */
export const SUBMISSION_CLAIM_ATTRIBUTES = ['pk', 'status', 'archiveKey', 'sha256', 'claimedBy', 'claimedAt'] as const;
