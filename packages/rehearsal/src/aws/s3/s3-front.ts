import { createHash, createHmac } from 'node:crypto';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AccessDenied, type Authorizer } from '../../iam/authorizer.js';
import { accessKeyOf, type CredentialRegistry, type Identity } from '../../iam/credentials.js';
import { listen, readBody, xmlError } from '../http-server.js';

/** One request the front decided on; the rehearsal checks that no run touched another run's objects. */
export interface ObjectAccess {
  readonly accessKeyId: string;
  readonly roleArn: string;
  readonly action: string;
  readonly key: string;
  readonly allowed: boolean;
  readonly reason?: string;
}

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

class Refused extends Error {}

/**
 * The S3 the rehearsal's requests see, in front of s3rver (which checks neither signatures nor POST policies):
 * presigned GETs are re-signed with @smithy/signature-v4 and compared, expiry included; presigned POSTs have their
 * policy signature, expiry, exact key, bucket and content-length-range checked; every request is then authorized
 * against the signing role's synthesized policy (and the session policy that narrows it).
 */
export function startS3Front(
  target: string,
  bucketArn: (bucket: string) => string,
  region: string,
  registry: CredentialRegistry,
  authorizer: Authorizer,
) {
  const accesses: ObjectAccess[] = [];
  const upstream = new URL(target);

  const authorize = async (
    identity: Identity,
    action: string,
    bucket: string,
    key: string,
    context: Record<string, string> = {},
  ) => {
    const resource = key === '' ? bucketArn(bucket) : `${bucketArn(bucket)}/${key}`;
    try {
      if (identity.expiresAt !== undefined && Date.now() > identity.expiresAt)
        throw new Refused('The provided token has expired.');
      await authorizer.authorize(identity.roleArn, action, resource, context, identity.sessionPolicy);
      accesses.push({ accessKeyId: identity.accessKeyId, roleArn: identity.roleArn, action, key, allowed: true });
    } catch (error) {
      accesses.push({
        accessKeyId: identity.accessKeyId,
        roleArn: identity.roleArn,
        action,
        key,
        allowed: false,
        reason: (error as Error).message,
      });
      throw error instanceof AccessDenied ? new Refused('Access Denied') : error;
    }
  };

  // Forwarded unsigned: the front has verified and authorized the request; s3rver knows only its built-in key.
  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    path = req.url ?? '/',
    headers: IncomingMessage['headers'] = req.headers,
  ) => {
    const { authorization: _signature, 'x-amz-security-token': _token, ...unsigned } = headers;
    const up = request(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path, headers: unsigned },
      (response) => {
        res.writeHead(response.statusCode ?? 500, response.headers);
        response.pipe(res);
      },
    );
    up.end(body);
  };

  const verifyPresigned = async (req: IncomingMessage, url: URL): Promise<Identity> => {
    const q = Object.fromEntries(url.searchParams);
    const identity = registry.get(accessKeyOf(q['X-Amz-Credential']) ?? '');
    if (!identity || identity.sessionToken !== q['X-Amz-Security-Token'])
      throw new Refused('The AWS Access Key Id you provided does not exist in our records.');
    const signingDate = amzDate(q['X-Amz-Date'] ?? '');
    if (Date.now() > signingDate.getTime() + Number(q['X-Amz-Expires']) * 1000)
      throw new Refused('Request has expired');
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
        method: req.method ?? 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query,
        headers: {
          host: String(req.headers.host),
          'x-amz-content-sha256': q['X-Amz-Content-Sha256'] ?? 'UNSIGNED-PAYLOAD',
        },
      },
      { signingDate, expiresIn: Number(q['X-Amz-Expires']), unhoistableHeaders: skip, unsignableHeaders: skip },
    );
    if (expected.query?.['X-Amz-Signature'] !== q['X-Amz-Signature'])
      throw new Refused('The request signature we calculated does not match the signature you provided.');
    return identity;
  };

  const handlePost = async (req: IncomingMessage, res: ServerResponse, bucket: string, body: Buffer) => {
    const form = await new Request('http://front/', {
      method: 'POST',
      headers: { 'content-type': String(req.headers['content-type']) },
      body,
    }).formData();
    const fields: Record<string, string> = {};
    let file: Blob | undefined;
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') fields[name.toLowerCase() === 'key' ? 'key' : name] = value;
      else file = value;
    }
    const identity = registry.get(accessKeyOf(fields['X-Amz-Credential']) ?? '');
    if (!identity || identity.sessionToken !== fields['X-Amz-Security-Token'] || !file)
      throw new Refused('Invalid according to Policy: credentials');
    const [, date, signingRegion, service] = (fields['X-Amz-Credential'] ?? '').split('/');
    const key = hmac(
      hmac(hmac(hmac(`AWS4${identity.secretAccessKey}`, date ?? ''), signingRegion ?? ''), service ?? ''),
      'aws4_request',
    );
    if (hmac(key, fields.Policy ?? '').toString('hex') !== fields['X-Amz-Signature'])
      throw new Refused('Invalid according to Policy: signature');
    const policy = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8')) as {
      expiration: string;
      conditions: unknown[];
    };
    if (Date.now() > Date.parse(policy.expiration)) throw new Refused('Invalid according to Policy: Policy expired.');
    const covered = new Set(['Policy', 'X-Amz-Signature', 'file']);
    for (const condition of policy.conditions) {
      if (Array.isArray(condition) && condition[0] === 'content-length-range') {
        if (file.size < Number(condition[1]) || file.size > Number(condition[2]))
          throw new Refused('Your proposed upload exceeds the maximum allowed size');
      } else if (Array.isArray(condition)) {
        const [op, field, value] = condition as [string, string, string];
        const name = field.replace(/^\$/, '');
        const actual = name === 'bucket' ? bucket : fields[name];
        if ((op === 'eq' && actual !== value) || (op === 'starts-with' && !String(actual).startsWith(value)))
          throw new Refused(`Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`);
        covered.add(name);
      } else {
        for (const [name, value] of Object.entries(condition as Record<string, string>)) {
          const actual = name === 'bucket' ? bucket : fields[name];
          if (actual !== value)
            throw new Refused(
              `Invalid according to Policy: Policy Condition failed: ${JSON.stringify({ [name]: value })}`,
            );
          covered.add(name);
        }
      }
    }
    const uncovered = Object.keys(fields).filter((f) => !covered.has(f) && !f.startsWith('x-ignore-'));
    if (uncovered.length > 0)
      throw new Refused(`Invalid according to Policy: Extra input fields: ${uncovered.join(', ')}`);
    await authorize(identity, 's3:PutObject', bucket, fields.key ?? '');
    const content = Buffer.from(await file.arrayBuffer());
    const up = request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: 'PUT',
        path: `/${bucket}/${fields.key}`,
        headers: {
          'content-type': fields['Content-Type'] ?? 'application/octet-stream',
          'content-length': content.length,
        },
      },
      (response) => {
        response.resume();
        res.writeHead(response.statusCode === 200 ? 204 : (response.statusCode ?? 500));
        res.end();
      },
    );
    up.end(content);
  };

  return listen(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const body = await readBody(req);
    try {
      if (url.searchParams.has('X-Amz-Signature')) {
        const identity = await verifyPresigned(req, url);
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new Refused('only presigned GET is served');
        await authorize(identity, 's3:GetObject', bucket, key);
        return forward(req, res, body, url.pathname, { host: String(req.headers.host) });
      }
      if (
        req.method === 'POST' &&
        !url.searchParams.has('delete') &&
        String(req.headers['content-type']).startsWith('multipart/form-data')
      ) {
        return await handlePost(req, res, bucket, body);
      }
      // Requests signed in the Authorization header: the trusted functions' SDK calls.
      const identity = registry.get(accessKeyOf(String(req.headers.authorization ?? '')) ?? '');
      if (!identity) throw new Refused('The AWS Access Key Id you provided does not exist in our records.');
      if (req.method === 'POST' && url.searchParams.has('delete')) {
        for (const match of body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g))
          await authorize(identity, 's3:DeleteObject', bucket, match[1] ?? '');
      } else if (key === '' && req.method === 'GET') {
        await authorize(identity, 's3:ListBucket', bucket, '', { 's3:prefix': url.searchParams.get('prefix') ?? '' });
      } else {
        const action =
          { GET: 's3:GetObject', HEAD: 's3:GetObject', PUT: 's3:PutObject', DELETE: 's3:DeleteObject' }[
            req.method ?? ''
          ] ?? `s3:${req.method}`;
        await authorize(identity, action, bucket, key);
      }
      return forward(req, res, body);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      // Refusals before authorization (bad signature, expired, policy conditions) are recorded too.
      if (accesses.at(-1)?.reason !== error.message) {
        accesses.push({
          accessKeyId: '',
          roleArn: '',
          action: `${req.method ?? ''} ${url.searchParams.has('X-Amz-Signature') ? '(presigned URL)' : '(presigned POST)'}`,
          key,
          allowed: false,
          reason: error.message,
        });
      }
      return xmlError(res, 403, 'AccessDenied', error.message);
    }
  }).then((endpoint) => ({ ...endpoint, accesses }));
}
