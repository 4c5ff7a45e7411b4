import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { isValidId, ID_RULE, runPrefix } from '@airlock/shared/environment';
import { z } from 'zod';
import { badRequest } from '../common/data-plane-error.js';

export const purgeInput = z.strictObject({
  action: z.literal('purge').optional(),
  runId: z.string().refine(isValidId, { error: `runId must be ${ID_RULE}` }),
});

/**
 * Deletes everything under `runs/<runId>/`, page by page. The prefix is built from a validated ID and ends in "/",
 * so it can never reach another run's objects or anything outside `runs/`. Deleting nothing is success.
 */
export async function purge(raw: unknown, deps: { s3: S3Client; bucket: string }): Promise<{ runId: string; deleted: number }> {
  const parsed = purgeInput.safeParse(raw);
  if (!parsed.success) throw badRequest(`purge: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const { runId } = parsed.data;
  const prefix = runPrefix(runId);
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await deps.s3.send(new ListObjectsV2Command({ Bucket: deps.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }));
    const keys = (page.Contents ?? []).map((o) => o.Key).filter((k): k is string => typeof k === 'string' && k.startsWith(prefix));
    if (keys.length > 0) {
      const result = await deps.s3.send(
        new DeleteObjectsCommand({ Bucket: deps.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
      );
      if (result.Errors?.length) throw new Error(`purge: ${result.Errors.length} objects could not be deleted (${result.Errors[0]?.Code})`);
      deleted += keys.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { runId, deleted };
}
