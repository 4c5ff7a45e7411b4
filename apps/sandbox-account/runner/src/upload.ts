import type { PresignedPostForm } from '@airlock/contracts';

export class UploadError extends Error {}

/** Sends `body` as the file of the presigned POST; the policy's fields go first, as S3 requires. */
export async function uploadOutput(post: PresignedPostForm, body: string, signal: AbortSignal): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
  form.append('file', new Blob([body], { type: 'application/json' }), 'output.json');
  let response: Response;
  try {
    response = await fetch(post.url, { method: 'POST', body: form, signal });
  } catch (error) {
    throw new UploadError(`output upload failed: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const detail = (await response.text().catch(() => '')).slice(0, 500);
    throw new UploadError(`output upload rejected: HTTP ${response.status} ${detail}`);
  }
}
