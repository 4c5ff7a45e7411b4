import type { PresignedPostForm } from '@airlock/contracts';

export class UploadError extends Error {}

/** Sends `body` as the file of the presigned POST; the policy's fields go first, as S3 requires. */
export async function uploadOutput(post: PresignedPostForm, body: string, signal: AbortSignal): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
  form.append('file', new Blob([body], { type: 'application/json' }), 'output.json');
  let response: Response;
  try {
    // No redirect: the POST goes to the data bucket or nowhere.
    response = await fetch(post.url, { method: 'POST', body: form, signal, redirect: 'error' });
  } catch (error) {
    throw new UploadError(`output upload failed: ${(error as Error).message}`);
  }
  if (!response.ok) {
    // Only S3's error code: its message can echo the string to sign (the policy, session token included).
    const code = /<Code>([A-Za-z]{1,64})<\/Code>/.exec(await response.text().catch(() => ''))?.[1] ?? 'no code';
    throw new UploadError(`output upload rejected: HTTP ${response.status} ${code}`);
  }
}
