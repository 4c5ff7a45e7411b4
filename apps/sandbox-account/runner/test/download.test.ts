import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, DownloadError } from '../src/download.js';
import { recordingServer } from './http-server.js';
import { temporaryDirectories } from './temporary-directories.js';

const temporaryDirectory = temporaryDirectories();
const INPUT = Buffer.from('x'.repeat(1000));

let server: Awaited<ReturnType<typeof recordingServer>>;
beforeAll(async () => {
  server = await recordingServer(({ path }, res) => {
    if (path === '/input') res.writeHead(200, { 'content-length': INPUT.length }).end(INPUT);
    // No content-length: only counting the bytes as they arrive can stop it.
    else if (path === '/undeclared') res.writeHead(200).end(INPUT);
    else if (path === '/moved') res.writeHead(302, { location: '/input' }).end();
    else if (path === '/slow') setTimeout(() => res.writeHead(200).end(INPUT), 5_000);
    else res.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>');
  });
});
afterAll(() => server.close());

const file = () => join(temporaryDirectory('airlock-download-'), 'input.tar.gz');
const never = () => new AbortController().signal;

describe('download', () => {
  it('writes the body to the file and returns its length', async () => {
    const target = file();
    expect(await download(`${server.url}/input`, target, 1000, never())).toBe(1000);
    expect(readFileSync(target)).toEqual(INPUT);
  });

  it('refuses a declared length over the limit before reading the body', async () => {
    const target = file();
    await expect(download(`${server.url}/input`, target, 999, never())).rejects.toThrow(
      new DownloadError('input is 1000 bytes, over the limit of 999'),
    );
    expect(existsSync(target)).toBe(false);
  });

  it('refuses an undeclared body once it passes the limit', async () => {
    await expect(download(`${server.url}/undeclared`, file(), 999, never())).rejects.toThrow(
      new DownloadError('input exceeds 999 bytes'),
    );
  });

  it('fails on an error status, naming it', async () => {
    await expect(download(`${server.url}/denied`, file(), 1000, never())).rejects.toThrow(
      new DownloadError('input download failed: HTTP 403'),
    );
  });

  it('does not follow a redirect: only the checked URL is requested', async () => {
    const before = server.received.length;
    await expect(download(`${server.url}/moved`, file(), 1000, never())).rejects.toThrow(
      new DownloadError('input download failed: HTTP 302'),
    );
    expect(server.received.slice(before).map((r) => r.path)).toEqual(['/moved']);
  });

  it('gives up when the signal aborts', async () => {
    await expect(download(`${server.url}/slow`, file(), 1000, AbortSignal.timeout(100))).rejects.toThrow(
      /^input download failed: /,
    );
  });

  it('refuses a URL that is neither https nor http', async () => {
    await expect(download('file:///etc/passwd', file(), 1000, never())).rejects.toThrow(
      new DownloadError('input download failed: unsupported protocol file: (only https: and http:)'),
    );
  });
});
