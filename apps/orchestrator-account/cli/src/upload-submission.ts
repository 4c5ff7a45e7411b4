import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { submissionRecordKey, uploadObjectKey } from '@airlock/shared/environment';
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
        Item: {
          pk: { S: submissionRecordKey(submissionId) },
          archiveKey: { S: uploadObjectKey(submissionId) },
          sha256: { S: sha256 },
          bytes: { N: String(body.length) },
          submitter: { S: submitter },
          receivedAt: { S: new Date().toISOString() },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
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
