import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { accessKeyOf, type CredentialRegistry, type Identity } from '../../iam/credentials.js';

/** A request S3 would refuse with 403; the message is S3's own. */
export class Refused extends Error {}

class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', toBuffer(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    // One instance signs one message; nothing to reset.
  }
}

const toBuffer = (data: string | ArrayBuffer | ArrayBufferView): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data)
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);
const amzDate = (d: string) =>
  new Date(
    `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`,
  );
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** One presigned URL request as it reached the front. */
export interface PresignedUrlRequest {
  readonly method: string;
  /** The full URL, query included, with the front's own host and port. */
  readonly url: URL;
  /** The Host header the client signed. */
  readonly host: string;
}

/**
 * Checks a presigned URL as S3 does: the access key and session token are known, the URL has not expired, and its
 * SigV4 signature is the one the key's secret gives for this exact method, path and query. Returns the signer.
 */
export async function verifyPresignedUrl(
  request: PresignedUrlRequest,
  registry: CredentialRegistry,
  region: string,
): Promise<Identity> {
  const q = Object.fromEntries(request.url.searchParams);
  const identity = registry.get(accessKeyOf(q['X-Amz-Credential']) ?? '');
  if (!identity || identity.sessionToken !== q['X-Amz-Security-Token'])
    throw new Refused('The AWS Access Key Id you provided does not exist in our records.');
  const signingDate = amzDate(q['X-Amz-Date'] ?? '');
  if (Date.now() > signingDate.getTime() + Number(q['X-Amz-Expires']) * 1000) throw new Refused('Request has expired');
  const query: Record<string, string> = { ...q };
  delete query['X-Amz-Signature'];
  const skip = new Set(['x-amz-content-sha256']);
  const signer = new SignatureV4({
    credentials: identity,
    region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
  });
  const expected = await signer.presign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: request.url.hostname,
      port: Number(request.url.port),
      path: request.url.pathname,
      query,
      headers: {
        host: request.host,
        'x-amz-content-sha256': q['X-Amz-Content-Sha256'] ?? 'UNSIGNED-PAYLOAD',
      },
    },
    { signingDate, expiresIn: Number(q['X-Amz-Expires']), unhoistableHeaders: skip, unsignableHeaders: skip },
  );
  if (expected.query?.['X-Amz-Signature'] !== q['X-Amz-Signature'])
    throw new Refused('The request signature we calculated does not match the signature you provided.');
  return identity;
}

/** A presigned POST's form: its fields by name as sent, and the file. */
export interface PostForm {
  readonly fields: Readonly<Record<string, string>>;
  readonly file?: Blob;
}

/** Reads a multipart/form-data body. A field sent twice, in any casing, is refused: which one S3 takes is unclear. */
export async function readPostForm(contentType: string, body: Buffer): Promise<PostForm> {
  const form = await new Request('http://front/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  }).formData();
  const fields: Record<string, string> = {};
  const seen = new Set<string>();
  let file: Blob | undefined;
  for (const [name, value] of form.entries()) {
    if (typeof value !== 'string') {
      file = value;
      continue;
    }
    if (seen.has(name.toLowerCase())) throw new Refused(`Invalid according to Policy: duplicate field ${name}`);
    seen.add(name.toLowerCase());
    fields[name] = value;
  }
  return { fields, ...(file ? { file } : {}) };
}

/** Field names are matched exactly, except `key`, which S3 accepts in any casing. */
const canonical = (name: string): string => (name.toLowerCase() === 'key' ? 'key' : name);
const field = (fields: Readonly<Record<string, string>>, name: string): string | undefined =>
  Object.entries(fields).find(([n]) => canonical(n) === canonical(name))?.[1];

/**
 * Checks a presigned POST as S3 does: known credentials, the policy's signature under the key's secret, its
 * expiration, every condition (exact fields, prefixes, `content-length-range`), and no form field the policy does
 * not cover. Returns the signer and the object key the upload goes to.
 */
export async function verifyPresignedPost(
  form: PostForm,
  bucket: string,
  registry: CredentialRegistry,
): Promise<{ identity: Identity; key: string; file: Blob }> {
  const { fields, file } = form;
  const credential = field(fields, 'X-Amz-Credential');
  const identity = registry.get(accessKeyOf(credential) ?? '');
  if (!identity || identity.sessionToken !== field(fields, 'X-Amz-Security-Token') || !file)
    throw new Refused('Invalid according to Policy: credentials');
  const [, date, signingRegion, service] = (credential ?? '').split('/');
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${identity.secretAccessKey}`, date ?? ''), signingRegion ?? ''), service ?? ''),
    'aws4_request',
  );
  const encodedPolicy = field(fields, 'Policy') ?? '';
  if (hmac(signingKey, encodedPolicy).toString('hex') !== field(fields, 'X-Amz-Signature'))
    throw new Refused('Invalid according to Policy: signature');
  const policy = JSON.parse(Buffer.from(encodedPolicy, 'base64').toString('utf8')) as {
    expiration: string;
    conditions: unknown[];
  };
  if (Date.now() > Date.parse(policy.expiration)) throw new Refused('Invalid according to Policy: Policy expired.');
  const valueOf = (name: string) => (name === 'bucket' ? bucket : field(fields, name));
  const covered = new Set(['Policy', 'X-Amz-Signature', 'file']);
  for (const condition of policy.conditions) {
    if (Array.isArray(condition) && condition[0] === 'content-length-range') {
      if (file.size < Number(condition[1]) || file.size > Number(condition[2]))
        throw new Refused('Your proposed upload exceeds the maximum allowed size');
    } else if (Array.isArray(condition)) {
      const [op, name, value] = condition as [string, string, string];
      const actual = valueOf(name.replace(/^\$/, ''));
      if (
        actual === undefined ||
        (op === 'eq' && actual !== value) ||
        (op === 'starts-with' && !actual.startsWith(value))
      )
        throw new Refused(`Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`);
      covered.add(canonical(name.replace(/^\$/, '')));
    } else {
      for (const [name, value] of Object.entries(condition as Record<string, string>)) {
        if (valueOf(name) !== value)
          throw new Refused(
            `Invalid according to Policy: Policy Condition failed: ${JSON.stringify({ [name]: value })}`,
          );
        covered.add(canonical(name));
      }
    }
  }
  const uncovered = Object.keys(fields).filter(
    (name) => !covered.has(canonical(name)) && !name.startsWith('x-ignore-'),
  );
  if (uncovered.length > 0)
    throw new Refused(`Invalid according to Policy: Extra input fields: ${uncovered.join(', ')}`);
  return { identity, key: field(fields, 'key') ?? '', file };
}
