import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DATA_PLANE_ACTION, isValidId, ID_RULE, runPrefix } from '@airlock/contracts';
import * as v from 'valibot';
import { badRequest } from '../common/data-plane-error.js';

export const purgeInput = v.strictObject({
  action: v.optional(v.literal(DATA_PLANE_ACTION.purge)),
  runId: v.pipe(
    v.string(),
    v.check((id: string) => isValidId(id), `runId must be ${ID_RULE}`),
  ),
});

/**
 * Deletes everything under `runs/<runId>/`, page by page. The prefix is built from a validated ID and ends in "/",
 * so it can never reach another run's objects or anything outside `runs/`. Deleting nothing is success.
 */
export async function purge(
  raw: unknown,
  deps: { s3: S3Client; bucket: string },
): Promise<{ runId: string; deleted: number }> {
  const parsed = v.safeParse(purgeInput, raw);
  if (!parsed.success) throw badRequest(`purge: ${parsed.issues.map((i) => i.message).join('; ')}`);
  const { runId } = parsed.output;
  const prefix = runPrefix(runId);
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await deps.s3.send(
      new ListObjectsV2Command({ Bucket: deps.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }),
    );
    const keys = (page.Contents ?? [])
      .map((o) => o.Key)
      .filter((k): k is string => typeof k === 'string' && k.startsWith(prefix));
    if (keys.length > 0) {
      const result = await deps.s3.send(
        new DeleteObjectsCommand({
          Bucket: deps.bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      if (result.Errors?.length)
        throw new Error(`purge: ${result.Errors.length} objects could not be deleted (${result.Errors[0]?.Code})`);
      deleted += keys.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { runId, deleted };
}
