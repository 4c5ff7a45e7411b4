import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SUBMISSION_RECORD_CONDITION, submissionRecordItem, uploadObjectKey } from '@airlock/contracts';
import { CliError } from './cli-error.js';

export interface UploadTarget {
  readonly bucket: string;
  readonly table: string;
  /** The environment's `retention.submissionRecordDays`. */
  readonly recordRetentionDays: number;
}

/**
 * Writes the submission record, then the archive, with the data account's credentials (an operator permission set
 * allowed exactly these two writes; see the README). Both are written only if absent: the record decides who owns
 * the submission ID, and the archive is never replaced, so a colliding submission ID is refused, never overwritten.
 * Prepare later checks the archive against the digest in the record.
 */
export async function uploadSubmission(
  clients: { s3: S3Client; dynamodb: DynamoDBClient },
  target: UploadTarget,
  submissionId: string,
  /** A path to read, or the archive itself. */
  archive: string | Buffer,
  submitter: string,
): Promise<{ sha256: string; bytes: number }> {
  let body: Buffer;
  try {
    body = typeof archive === 'string' ? readFileSync(archive) : archive;
  } catch (error) {
    throw new CliError(`cannot read ${String(archive)}: ${(error as Error).message}`);
  }
  const sha256 = createHash('sha256').update(body).digest('hex');
  const taken = `submission ${submissionId} already exists; it is never overwritten. Fix: choose another --submission-id`;
  try {
    await clients.dynamodb.send(
      new PutItemCommand({
        TableName: target.table,
        Item: submissionRecordItem({
          submissionId,
          sha256,
          bytes: body.length,
          submitter,
          receivedAt: new Date(),
          retentionDays: target.recordRetentionDays,
        }),
        ConditionExpression: SUBMISSION_RECORD_CONDITION,
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new CliError(taken);
    throw error;
  }
  try {
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: uploadObjectKey(submissionId),
        Body: body,
        ContentType: 'application/gzip',
        ChecksumAlgorithm: 'SHA256',
        IfNoneMatch: '*',
      }),
    );
  } catch (error) {
    // An archive under this ID without a record of ours: its record expired, or someone wrote outside the CLI.
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412)
      throw new CliError(
        `${taken} (an archive is already stored under it; the record just written will not run, since prepare ` +
          'checks the archive against its digest)',
      );
    throw error;
  }
  return { sha256, bytes: body.length };
}
