import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { AccessDenied, type Authorizer } from '../../iam/authorizer.js';
import { accessKeyOf, type CredentialRegistry, type Identity } from '../../iam/credentials.js';
import { listen, readBody, xmlError } from '../http-server.js';
import { objectExists } from './conditional-writes.js';
import { readPostForm, Refused, verifyPresignedPost, verifyPresignedUrl } from './presigned-checks.js';

/** One request the front decided on; the rehearsal checks that no run touched another run's objects. */
export interface ObjectAccess {
  readonly accessKeyId: string;
  readonly roleArn: string;
  readonly action: string;
  readonly key: string;
  readonly allowed: boolean;
  readonly reason?: string;
}

/**
 * The S3 the rehearsal's requests see, in front of s3rver (which checks neither signatures nor POST policies):
 * presigned GETs and POSTs are checked as S3 does (presigned-checks.ts); every request is then authorized
 * against the signing role's synthesized policy (and the session policy that narrows it). Presigned requests come
 * only from the sandbox stand-in, whose one way out is the sandbox's S3 endpoint: `presignedNetwork` is what that
 * endpoint adds to their context (`aws:VpceAccount`). Every object written is announced (`onObjectCreated`, S3's
 * EventBridge notification) and answered only once its event has been handled, so a rule's verdict on the object
 * (the late-object sweeper's) is in before anyone can act on the answer.
 */
export function startS3Front(
  target: string,
  bucketArn: (bucket: string) => string,
  region: string,
  registry: CredentialRegistry,
  authorizer: Authorizer,
  presignedNetwork: Record<string, string> = {},
  onObjectCreated: (bucket: string, key: string) => Promise<void> = async () => undefined,
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
    created?: { bucket: string; key: string },
  ) => {
    const { authorization: _signature, 'x-amz-security-token': _token, ...unsigned } = headers;
    const up = request(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path, headers: unsigned },
      (response) => {
        const announced =
          created && response.statusCode === 200 ? onObjectCreated(created.bucket, created.key) : Promise.resolve();
        void announced.then(() => {
          res.writeHead(response.statusCode ?? 500, response.headers);
          response.pipe(res);
        });
      },
    );
    up.end(body);
  };

  const handlePost = async (req: IncomingMessage, res: ServerResponse, bucket: string, body: Buffer) => {
    const form = await readPostForm(String(req.headers['content-type']), body);
    const { identity, key, file } = await verifyPresignedPost(form, bucket, registry);
    await authorize(identity, 's3:PutObject', bucket, key, presignedNetwork);
    const content = Buffer.from(await file.arrayBuffer());
    const up = request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: 'PUT',
        path: `/${bucket}/${key}`,
        headers: {
          'content-type': form.fields['Content-Type'] ?? 'application/octet-stream',
          'content-length': content.length,
        },
      },
      (response) => {
        response.resume();
        const announced = response.statusCode === 200 ? onObjectCreated(bucket, key) : Promise.resolve();
        void announced.then(() => {
          res.writeHead(response.statusCode === 200 ? 204 : (response.statusCode ?? 500));
          res.end();
        });
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
        const identity = await verifyPresignedUrl(
          { method: req.method ?? 'GET', url, host: String(req.headers.host) },
          registry,
          region,
        );
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new Refused('only presigned GET is served');
        await authorize(identity, 's3:GetObject', bucket, key, presignedNetwork);
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
        if (req.method === 'PUT' && req.headers['if-none-match'] === '*' && (await objectExists(upstream, bucket, key)))
          return xmlError(
            res,
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
          );
      }
      return forward(req, res, body, req.url, req.headers, req.method === 'PUT' ? { bucket, key } : undefined);
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
