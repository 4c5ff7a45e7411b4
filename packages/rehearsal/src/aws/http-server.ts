import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request body past the reader's bound: refused before it is held in memory. */
export class BodyTooLarge extends Error {}

/** The whole request body; past `maxBytes` it drops what it holds and the rest, and rejects with `BodyTooLarge`. */
export const readBody = (req: IncomingMessage, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (c: Buffer) => {
      bytes += c.length;
      if (bytes <= maxBytes) return void chunks.push(c);
      req.off('data', onData);
      chunks.length = 0;
      req.resume();
      reject(new BodyTooLarge(`the request body is larger than ${maxBytes} bytes`));
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * `handler`, serving each connection one request at a time: a request that arrives while its connection's previous
 * one is unanswered (HTTP/1.1 pipelining, which no AWS SDK does) closes the connection. Node's server starts a handler
 * for every pipelined request as it parses it and stops reading only once written answers queue up, so a caller that
 * sends many requests at once and never reads could have any number in progress (each holding an upstream
 * connection and its answer) on one connection.
 */
export function oneRequestAtATime(handler: Handler): Handler {
  const answering = new WeakSet<Socket>();
  return (req, res) => {
    const { socket } = req;
    if (answering.has(socket)) {
      socket.destroy();
      return Promise.resolve();
    }
    answering.add(socket);
    res.on('close', () => answering.delete(socket));
    return handler(req, res);
  };
}

/** An HTTP server on a random loopback port; handler errors become 500s rather than crashes. */
export async function listen(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`rehearsal endpoint error: ${error.message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

export function xmlError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`,
  );
}

export const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
