import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ServiceCall, ServiceHandler } from '../stepfunctions/sandbox-workflow.js';

interface DeleteObjectRequest {
  readonly Bucket: string;
  readonly Key: string;
}

/**
 * The S3 SDK integration the data account's workflows use (`aws-sdk:s3:deleteObject`), authorized as the calling
 * workflow's own role against its synthesized policy, then done on the local store.
 */
export function s3Integrations(s3: S3Client, bucketArn: (bucket: string) => string): Record<string, ServiceHandler> {
  const deleteObject = async (call: ServiceCall, req: DeleteObjectRequest): Promise<unknown> => {
    await call.act('s3:DeleteObject', `${bucketArn(req.Bucket)}/${req.Key}`);
    await s3.send(new DeleteObjectCommand({ Bucket: req.Bucket, Key: req.Key }));
    return {};
  };
  return { 'arn:aws:states:::aws-sdk:s3:deleteObject': deleteObject as ServiceHandler };
}
