import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMultipartForm } from '../src/multipart-form.js';
import { uploadOutput, UploadError } from '../src/upload.js';
import { recordingServer, type Received } from './http-server.js';

let server: Awaited<ReturnType<typeof recordingServer>>;
beforeAll(async () => {
  server = await recordingServer(({ path }, res) => {
    if (path === '/bucket') res.writeHead(204).end();
    else if (path === '/moved') res.writeHead(307, { location: '/bucket' }).end();
    else
      res
        .writeHead(403)
        .end('<Error><Code>AccessDenied</Code><StringToSign>the-policy-with-the-session-token</StringToSign></Error>');
  });
});
afterAll(() => server.close());

/** Parses a received form with the WHATWG parser (undici's, as the rehearsal's S3 front does). */
async function parsedForm(request: Received): Promise<[string, string][]> {
  const form = await new Request('http://local/', {
    method: 'POST',
    headers: { 'content-type': request.headers['content-type'] ?? '' },
    body: request.body,
  }).formData();
  return Promise.all(
    [...form.entries()].map(async ([name, value]): Promise<[string, string]> => [
      name,
      typeof value === 'string' ? value : `${value.name}: ${await value.text()}`,
    ]),
  );
}

const never = () => new AbortController().signal;
const fields = { key: 'runs/run-1/output.json', 'Content-Type': 'application/json', Policy: 'cG9saWN5' };

describe('uploadOutput', () => {
  it('posts the fields in order, then the file, with its length declared (S3 takes no chunked POST)', async () => {
    await uploadOutput({ url: `${server.url}/bucket`, fields }, '{"status":"COMPLETED"}', never());
    const request = server.received.at(-1);
    if (!request) throw new Error('nothing was posted');
    expect(request.method).toBe('POST');
    expect(request.headers['content-length']).toBe(String(request.body.length));
    expect(request.headers['transfer-encoding']).toBeUndefined();
    expect(await parsedForm(request)).toEqual([
      ['key', 'runs/run-1/output.json'],
      ['Content-Type', 'application/json'],
      ['Policy', 'cG9saWN5'],
      ['file', 'output.json: {"status":"COMPLETED"}'],
    ]);
  });

  it('sends what the submission wrote as the file only: a part it fakes stays inside the file', async () => {
    const forged = `x"\r\n------airlock-form-0\r\nContent-Disposition: form-data; name="key"\r\n\r\nresults/other\r\n`;
    await uploadOutput({ url: `${server.url}/bucket`, fields }, forged, never());
    const request = server.received.at(-1);
    if (!request) throw new Error('nothing was posted');
    const form = await parsedForm(request);
    expect(form.map(([name]) => name)).toEqual(['key', 'Content-Type', 'Policy', 'file']);
    expect(form.at(-1)).toEqual(['file', `output.json: ${forged}`]);
  });

  it('names S3’s error code and never its message, which can echo the policy', async () => {
    const upload = uploadOutput({ url: `${server.url}/denied`, fields }, '{}', never());
    await expect(upload).rejects.toThrow(new UploadError('output upload rejected: HTTP 403 AccessDenied'));
  });

  it('does not follow a redirect: the POST goes to the checked URL or nowhere', async () => {
    const before = server.received.length;
    await expect(uploadOutput({ url: `${server.url}/moved`, fields }, '{}', never())).rejects.toThrow(
      new UploadError('output upload rejected: HTTP 307 no code'),
    );
    expect(server.received.slice(before).map((r) => r.path)).toEqual(['/moved']);
  });

  it('fails when nothing answers', async () => {
    await expect(uploadOutput({ url: 'http://127.0.0.1:9/bucket', fields }, '{}', never())).rejects.toThrow(
      /^output upload failed: connect ECONNREFUSED/,
    );
  });
});

describe('encodeMultipartForm', () => {
  it('picks another boundary when a part contains the first one', () => {
    const boundaries = ['boundary-in-the-file', 'fresh-boundary'];
    const form = encodeMultipartForm(
      {},
      { field: 'file', filename: 'f', contentType: 'text/plain', content: Buffer.from('--boundary-in-the-file--') },
      () => boundaries.shift() ?? 'exhausted',
    );
    expect(form.contentType).toBe('multipart/form-data; boundary=fresh-boundary');
  });

  it('escapes quotes and line breaks in names, and writes line breaks in values as CRLF', () => {
    const form = encodeMultipartForm(
      { 'a"b\nc': 'one\ntwo' },
      { field: 'file', filename: 'f', contentType: 'text/plain', content: Buffer.from('') },
      () => 'B',
    );
    expect(form.body.toString('utf8')).toContain(
      '--B\r\nContent-Disposition: form-data; name="a%22b%0D%0Ac"\r\n\r\none\r\ntwo\r\n',
    );
  });
});
