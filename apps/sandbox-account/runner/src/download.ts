import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sendRequest } from './http-request.js';

export class DownloadError extends Error {}

/** Streams `url` to `file`, refusing anything over `maxBytes` and giving up when `signal` aborts. */
export async function download(url: string, file: string, maxBytes: number, signal: AbortSignal): Promise<number> {
  let response: IncomingMessage;
  try {
    response = await sendRequest(url, { method: 'GET', signal });
  } catch (error) {
    throw new DownloadError(`input download failed: ${(error as Error).message}`);
  }
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    response.destroy();
    throw new DownloadError(`input download failed: HTTP ${status}`);
  }
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    response.destroy();
    throw new DownloadError(`input is ${declared} bytes, over the limit of ${maxBytes}`);
  }
  let received = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(received > maxBytes ? new DownloadError(`input exceeds ${maxBytes} bytes`) : null, chunk);
    },
  });
  try {
    await pipeline(response, cap, createWriteStream(file), { signal });
  } catch (error) {
    throw error instanceof DownloadError
      ? error
      : new DownloadError(`input download failed: ${(error as Error).message}`);
  }
  return received;
}
