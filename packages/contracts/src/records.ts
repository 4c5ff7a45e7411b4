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
}

/** The submission record's item in the runs table. Write it only if absent (`SUBMISSION_RECORD_CONDITION`). */
export function submissionRecordItem(upload: SubmissionUpload): Record<string, Attribute> {
  return {
    pk: { S: submissionRecordKey(upload.submissionId) },
    archiveKey: { S: uploadObjectKey(upload.submissionId) },
    sha256: { S: upload.sha256 },
    bytes: { N: String(upload.bytes) },
    submitter: { S: upload.submitter },
    receivedAt: { S: upload.receivedAt.toISOString() },
  };
}

/** A submission ID is used once: a second upload under it is refused, never silently overwritten. */
export const SUBMISSION_RECORD_CONDITION = 'attribute_not_exists(pk)';

export type RunStatus = 'PREPARING' | 'PREPARED' | 'SUCCEEDED' | 'FAILED';

/** A run's record, read by the data plane, the operator CLI's `status` and the rehearsal's invariant checks. */
export interface RunRecord {
  readonly runId: string;
  readonly submissionId: string;
  readonly status: RunStatus;
  readonly reason?: string;
  readonly resultKey?: string;
}
