import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SUBMISSION_RECORD_CONDITION, submissionRecordItem, uploadObjectKey } from '@airlock/contracts';
import { CliError } from './cli-error.js';

export interface UploadTarget {
  readonly bucket: string;
  readonly table: string;
}

/**
 * Puts the archive under `uploads/` and writes its submission record, with the data account's credentials (an
 * operator permission set allowed exactly these two writes; see the README). The record is written only if absent,
 * so a submission ID is never silently reused.
 */
export async function uploadSubmission(
  clients: { s3: S3Client; dynamodb: DynamoDBClient },
  target: UploadTarget,
  submissionId: string,
  archivePath: string,
  submitter: string,
): Promise<{ sha256: string; bytes: number }> {
  let body: Buffer;
  try {
    body = readFileSync(archivePath);
  } catch (error) {
    throw new CliError(`cannot read ${archivePath}: ${(error as Error).message}`);
  }
  const sha256 = createHash('sha256').update(body).digest('hex');
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: uploadObjectKey(submissionId),
      Body: body,
      ContentType: 'application/gzip',
      ChecksumAlgorithm: 'SHA256',
    }),
  );
  try {
    await clients.dynamodb.send(
      new PutItemCommand({
        TableName: target.table,
        Item: submissionRecordItem({ submissionId, sha256, bytes: body.length, submitter, receivedAt: new Date() }),
        ConditionExpression: SUBMISSION_RECORD_CONDITION,
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new CliError(`submission ${submissionId} already exists. Fix: choose another --submission-id`);
    }
    throw error;
  }
  return { sha256, bytes: body.length };
}
