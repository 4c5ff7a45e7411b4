import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { compactOutputPost, runInputKey, runOutputKey, type RunGrant } from '@airlock/contracts';

/** Signs one GET of the run's input and one POST of its output, of at most `maxOutputBytes`, with `s3`'s credentials. */
export async function mintRunGrant(
  s3: S3Client,
  params: { bucket: string; runId: string; expiresInSeconds: number; maxOutputBytes: number; deadline: number },
): Promise<RunGrant> {
  const expiresIn = Math.floor(params.expiresInSeconds);
  const inputUrl = await getSignedUrl(
    s3,
    new GetObjectCommand({ Bucket: params.bucket, Key: runInputKey(params.runId) }),
    { expiresIn },
  );
  const post = await createPresignedPost(s3, {
    Bucket: params.bucket,
    Key: runOutputKey(params.runId),
    Conditions: [
      ['content-length-range', 1, params.maxOutputBytes],
      ['eq', '$Content-Type', 'application/json'],
    ],
    Fields: { 'Content-Type': 'application/json' },
    Expires: expiresIn,
  });
  return {
    inputUrl,
    // The URL, policy and signature only: deliver rebuilds the rest from the policy (RunTask's overrides limit).
    outputPost: JSON.stringify(compactOutputPost(post)),
    deadline: String(params.deadline),
  };
}
