import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOwnConnection } from '../../../src/aws/s3/own-connection.js';

// Unconfined, the S3 front takes presigned requests as the sandbox's unless they come from the rehearsal itself.
describe('isOwnConnection: tells connections from this process from those of any other', () => {
  let server: net.Server;
  let port: number;
  const accepted = () =>
    new Promise<boolean>((resolve) => server.once('connection', (socket) => resolve(isOwnConnection(socket))));

  beforeAll(async () => {
    server = net.createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is true for a connection this process made', async () => {
    const verdict = accepted();
    const client = net.connect(port, '127.0.0.1');
    const own = await verdict;
    client.destroy();
    expect(own).toBe(true);
  });

  it('is false for a connection another process made', async () => {
    const verdict = accepted();
    const child = spawn(process.execPath, [
      '-e',
      `require('net').connect(${port}, '127.0.0.1').on('connect', () => setTimeout(() => process.exit(0), 500))`,
    ]);
    const own = await verdict;
    child.kill();
    expect(own).toBe(false);
  });
});
