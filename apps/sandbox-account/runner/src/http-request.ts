import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: Buffer;
  /** Aborts the request, and the response's body while it is read. */
  readonly signal: AbortSignal;
}

/**
 * Sends one request with Node's own HTTP client and resolves with the response once its head has arrived; the
 * caller reads or discards the body. Not `fetch`: on Node 20 its first use in a process costs ~0.3 s of CPU
 * (it compiles undici's WebAssembly HTTP parser), more than the rest of a container's start. A redirect is never
 * followed: the URL's host was checked, the redirect's would not be.
 */
export async function sendRequest(url: string, request: HttpRequest): Promise<IncomingMessage> {
  const target = new URL(url);
  // Loaded on use: TLS costs start-up time the rehearsal's plain-HTTP endpoint does not need.
  const client =
    target.protocol === 'https:'
      ? await import('node:https')
      : target.protocol === 'http:'
        ? await import('node:http')
        : undefined;
  if (!client) throw new Error(`unsupported protocol ${target.protocol} (only https: and http:)`);
  return new Promise((resolve, reject) => {
    const outgoing = client.request(
      target,
      { method: request.method, headers: request.headers, signal: request.signal },
      resolve,
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
