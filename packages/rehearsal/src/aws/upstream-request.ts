import { request, type IncomingMessage, type RequestOptions } from 'node:http';

/**
 * Sends one request from a front to the local server behind it (s3rver, dynalite) on Node's keep-alive agent.
 * Under load the server's keep-alive timer can close an idle connection just as the agent hands it the next
 * request: the request then meets a reset on a reused connection before any answer, and never reached the server.
 * AWS shows its clients no such thing, so the request goes again on another connection (as Node's documentation
 * advises) instead of becoming a 500 that the SDK retries and the rehearsal would count as a second request. Every
 * other failure, and any reset on a new connection, goes to `onError`.
 */
export function upstreamRequest(
  options: RequestOptions,
  body: Buffer | undefined,
  onResponse: (response: IncomingMessage) => void,
  onError: (error: Error) => void,
): void {
  let answered = false;
  const outgoing = request(options, (response) => {
    answered = true;
    onResponse(response);
  });
  outgoing.on('error', (error: NodeJS.ErrnoException) => {
    if (outgoing.reusedSocket && !answered && (error.code === 'ECONNRESET' || error.code === 'EPIPE'))
      upstreamRequest(options, body, onResponse, onError);
    else onError(error);
  });
  outgoing.end(body);
}
