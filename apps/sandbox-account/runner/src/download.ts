import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export class DownloadError extends Error {}

/** Streams `url` to `file`, refusing anything over `maxBytes` and giving up when `signal` aborts. */
export async function download(url: string, file: string, maxBytes: number, signal: AbortSignal): Promise<number> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    throw new DownloadError(`input download failed: ${(error as Error).message}`);
  }
  if (!response.ok || !response.body) throw new DownloadError(`input download failed: HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new DownloadError(`input is ${declared} bytes, over the limit of ${maxBytes}`);
  let received = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(received > maxBytes ? new DownloadError(`input exceeds ${maxBytes} bytes`) : null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
      cap,
      createWriteStream(file),
      { signal },
    );
  } catch (error) {
    throw error instanceof DownloadError
      ? error
      : new DownloadError(`input download failed: ${(error as Error).message}`);
  }
  return received;
}
