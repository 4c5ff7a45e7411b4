import type { IncomingMessage } from 'node:http';
import type { PresignedPostForm } from '@airlock/contracts';
import { sendRequest } from './http-request.js';
import { encodeMultipartForm } from './multipart-form.js';

export class UploadError extends Error {}

/** S3's error answer is small; more is not read. */
const MAX_ERROR_BYTES = 64 * 1024;

/** Sends `body` as the file of the presigned POST; the policy's fields go first, as S3 requires. */
export async function uploadOutput(post: PresignedPostForm, body: string, signal: AbortSignal): Promise<void> {
  const form = encodeMultipartForm(post.fields, {
    field: 'file',
    filename: 'output.json',
    contentType: 'application/json',
    content: Buffer.from(body, 'utf8'),
  });
  let response: IncomingMessage;
  try {
    // No redirect is followed: the POST goes to the data bucket or nowhere.
    response = await sendRequest(post.url, {
      method: 'POST',
      headers: { 'content-type': form.contentType, 'content-length': form.body.length },
      body: form.body,
      signal,
    });
  } catch (error) {
    throw new UploadError(`output upload failed: ${(error as Error).message}`);
  }
  const status = response.statusCode ?? 0;
  if (status >= 200 && status <= 299) {
    // S3 has answered: its (empty) body is not needed, and a connection reset after the answer changes nothing.
    response.on('error', () => undefined).resume();
    return;
  }
  // Only S3's error code: its message can echo the string to sign (the policy, session token included).
  const answer = await readText(response, MAX_ERROR_BYTES).catch(() => '');
  const code = /<Code>([A-Za-z]{1,64})<\/Code>/.exec(answer)?.[1] ?? 'no code';
  throw new UploadError(`output upload rejected: HTTP ${status} ${code}`);
}

/** The first `maxBytes` of a response body as text; the rest is discarded. */
async function readText(response: AsyncIterable<Buffer>, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of response) {
    if (kept < maxBytes) chunks.push(chunk.subarray(0, maxBytes - kept));
    kept += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}
