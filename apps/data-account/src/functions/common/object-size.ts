import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/**
 * The size of one object, or undefined if it does not exist. A list scoped to the key's own prefix, not HEAD:
 * without s3:ListBucket, S3 answers HEAD of a missing object with 403, which would be indistinguishable from a
 * real denial; ListBucket can be granted for exactly the prefix the function owns.
 */
export async function objectSize(s3: S3Client, bucket: string, key: string): Promise<number | undefined> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
  const object = page.Contents?.[0];
  return object?.Key === key ? (object.Size ?? 0) : undefined;
}
