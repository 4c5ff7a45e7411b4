import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close } from '../../src/aws/http-server.js';
import { upstreamRequest } from '../../src/aws/upstream-request.js';

describe('upstreamRequest', () => {
  /** Resets every request, on any connection (a request on a connection that served one already always is). */
  let resetAll = false;
  let server: Server;
  let port = 0;
  const served = new WeakSet<Socket>();
  const handled: string[] = [];
  const connections: Socket[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      // Reset unread, as when the server's keep-alive timer closes a connection just as a request goes out on it.
      if (resetAll || served.has(req.socket)) return req.socket.resetAndDestroy();
      served.add(req.socket);
      req.setEncoding('utf8');
      let body = '';
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        handled.push(body);
        res.end(`stored ${body}`);
      });
    });
    server.on('connection', (socket: Socket) => connections.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => close(server));

  const put = (body: string) =>
    new Promise<string>((resolve) => {
      upstreamRequest(
        { hostname: '127.0.0.1', port, method: 'PUT', path: '/bucket/key' },
        Buffer.from(body),
        (response: IncomingMessage) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve(`${response.statusCode} ${text}`));
        },
        (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`),
      );
    });

  it('sends a request again on a new connection when the kept-alive one it went out on was reset unanswered', async () => {
    expect(await put('first')).toBe('200 stored first');
    const before = connections.length;
    expect(await put('second')).toBe('200 stored second');
    // The reused connection was reset, a second one carried the request, and the server handled it once.
    expect(connections.length - before).toBe(1);
    expect(handled).toEqual(['first', 'second']);
  });

  it('leaves a reset on a new connection to the caller, sent once', async () => {
    resetAll = true;
    const before = connections.length;
    try {
      expect(await put('third')).toBe('error ECONNRESET');
    } finally {
      resetAll = false;
    }
    expect(connections.length - before).toBe(1);
    expect(handled).toEqual(['first', 'second']);
  });
});
