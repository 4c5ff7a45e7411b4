import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { outputPostFields, type OutputPost } from '@airlock/contracts';

export interface Upload {
  readonly fields: Record<string, string>;
  readonly file: string;
}

/** The bucket path of the data-bucket stand-in, as the rehearsal's path-style front has it. */
const BUCKET = 'data-bucket';

/**
 * A stand-in for S3's presigned GET and POST on loopback: serves one input and records what is posted, as the data
 * bucket under `dataUrlPrefix`.
 */
export class PresignedFixture {
  readonly uploads: Upload[] = [];
  /** Paths of every GET received, to prove a refused URL was never fetched. */
  readonly downloads: string[] = [];
  /** HTTP status the POST answers with; S3 answers 204 on success. */
  postStatus = 204;
  private server: Server;
  private port = 0;

  constructor(private input: Buffer) {
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      if (req.method === 'GET') this.downloads.push(path);
      if (req.method === 'GET' && /^\/data-bucket\/runs\/[^/]+\/input\.tar\.gz$/.test(path)) {
        res.writeHead(200, { 'content-length': this.input.length }).end(this.input);
        return;
      }
      if (req.method === 'POST' && path === `/${BUCKET}`) {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', async () => {
          const form = await new Request('http://local/upload', {
            method: 'POST',
            headers: { 'content-type': req.headers['content-type'] ?? '' },
            body: Buffer.concat(chunks),
          }).formData();
          const fields: Record<string, string> = {};
          let file = '';
          for (const [name, value] of form.entries()) {
            if (typeof value === 'string') fields[name] = value;
            else file = await value.text();
          }
          if (this.postStatus < 300) this.uploads.push({ fields, file });
          res
            .writeHead(this.postStatus)
            .end(
              this.postStatus < 300
                ? ''
                : '<Error><Code>AccessDenied</Code><StringToSign>the-policy-with-the-session-token</StringToSign></Error>',
            );
        });
        return;
      }
      res.writeHead(404).end();
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  setInput(input: Buffer): void {
    this.input = input;
  }

  /** The data bucket's object-URL prefix, as the task definition would fix it. */
  get dataUrlPrefix(): string {
    return `http://127.0.0.1:${this.port}/${BUCKET}/`;
  }

  /** A presigned GET of `runId`'s input, as prepare mints it. */
  runInputUrl(runId: string): string {
    return `${this.dataUrlPrefix}runs/${runId}/input.tar.gz?X-Amz-Signature=s`;
  }

  /**
   * A presigned POST for `runId`'s output on the wire, as prepare mints it (path style: the bucket URL without a
   * slash): the policy states each field; `fields` adds or replaces policy fields, as a compromised orchestrator
   * could (it cannot sign them, but deliver must refuse them before anything is sent).
   */
  runOutputPost(runId: string, fields: Record<string, string> = {}): OutputPost {
    const stated = { bucket: BUCKET, key: `runs/${runId}/output.json`, 'Content-Type': 'application/json', ...fields };
    const conditions = [['content-length-range', 1, 262144], ...Object.entries(stated).map(([k, v]) => ({ [k]: v }))];
    const policy = JSON.stringify({ expiration: '2099-01-01T00:00:00Z', conditions });
    return { url: this.dataUrlPrefix.slice(0, -1), policy, signature: 's' };
  }

  /** The form fields S3 must receive for `post`. */
  formFields(post: OutputPost): Record<string, string> {
    return outputPostFields(post);
  }

  /** The last delivered output.json, parsed. */
  lastOutput(): Record<string, unknown> {
    const upload = this.uploads.at(-1);
    if (!upload) throw new Error('nothing was uploaded');
    return JSON.parse(upload.file) as Record<string, unknown>;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
