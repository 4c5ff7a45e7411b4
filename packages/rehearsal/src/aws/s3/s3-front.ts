import type { IncomingMessage, RequestOptions, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { accountOfArn, type PolicyDocument } from '@airlock/cloud-assembly';
import { SUBMISSION_LIMITS } from '@airlock/contracts';
import { AccessDenied, FOREIGN_PRINCIPAL, type Authorizer } from '../../iam/authorizer.js';
import { accessKeyOf, type CredentialRegistry, type Identity } from '../../iam/credentials.js';
import { BodyTooLarge, listen, oneRequestAtATime, readBody, xmlError } from '../http-server.js';
import { upstreamRequest } from '../upstream-request.js';
import type { BucketKey } from '../../run/artifacts.js';
import { objectExists } from './conditional-writes.js';
import { isOwnConnection } from './own-connection.js';
import { readPostForm, Refused, verifyPresignedPost, verifyPresignedUrl } from './presigned-checks.js';

/**
 * The largest request body the front holds from the sandbox: four times the largest upload a POST policy admits
 * (`maxOutputBytes`, with room for the form's fields). Bodies are held whole before the policy is checked, so
 * without a bound code in the task could make the rehearsal hold gigabytes.
 */
export const SANDBOX_BODY_BYTES = 4 * SUBMISSION_LIMITS.maxOutputBytes;

/** How long a connection refused for its body's size is still read (and dropped) after the answer before it is closed. */
const LINGER_MS = 2_000;

/** One request the front decided on; the rehearsal checks that no run touched another run's objects. */
export interface ObjectAccess {
  readonly accessKeyId: string;
  readonly roleArn: string;
  readonly action: string;
  readonly key: string;
  readonly allowed: boolean;
  readonly reason?: string;
  /** Which way the request came: through the sandbox's S3 endpoint, or from anywhere else (the "internet"). */
  readonly via: RequestOrigin;
  /** For a ListBucket: the prefix listed. */
  readonly prefix?: string;
}

export type RequestOrigin = 'sandbox endpoint' | 'elsewhere';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** s3rver keeps objects as files and resolves `.` and `..` in a key: such a key could name another object. */
const isPlainKey = (key: string) => !key.split('/').some((segment) => segment === '.' || segment === '..');

/** What S3 asks KMS for on an SSE-KMS object: a data key to decrypt it (`read`) or a new one to encrypt it (`write`). */
type KeyUse = 'read' | 'write';

/** The S3 action of a header-signed request, as far as the rehearsal's callers use S3. */
function actionOf(method: string | undefined, key: string, url: URL): string {
  if (method === 'POST' && url.searchParams.has('delete')) return 's3:DeleteObject';
  if (key === '' && method === 'GET') return 's3:ListBucket';
  return (
    { GET: 's3:GetObject', HEAD: 's3:GetObject', PUT: 's3:PutObject', DELETE: 's3:DeleteObject' }[method ?? ''] ??
    `s3:${method ?? ''}`
  );
}

/** A GET reads an object's data key; a PUT makes one, and a copy (`x-amz-copy-source`) reads the source's too. */
function keyUsesOf(req: IncomingMessage): KeyUse[] {
  if (req.method === 'GET') return ['read'];
  if (req.method !== 'PUT') return [];
  return req.headers['x-amz-copy-source'] === undefined ? ['write'] : ['read', 'write'];
}

/** A refusal already in `accesses`; S3 answers an authorization failure with no more than "Access Denied". */
class RecordedRefusal extends Refused {
  readonly answer: string;
  constructor(reason: string) {
    super(reason);
    this.answer = /is not authorized to perform/.test(reason) ? 'Access Denied' : reason;
  }
}

/** What S3 knows of the network path and the bucket besides the caller's own policies. */
export interface S3FrontPolicies {
  /** The bucket policy of each bucket that has one. */
  readonly bucketPolicy: (bucket: string) => PolicyDocument | undefined;
  /** The account of each of the three accounts' buckets; undefined for any other bucket. */
  readonly bucketAccount: (bucket: string) => string | undefined;
  /** The KMS key a bucket encrypts new objects with by default (SSE-KMS), with its key policy; undefined for none. */
  readonly objectKey: (bucket: string) => BucketKey | undefined;
  /** The sandbox's S3 gateway endpoint: the condition keys it adds (`aws:VpceAccount`) and its policy. */
  readonly endpoint: { readonly context: Record<string, string>; readonly policy: PolicyDocument };
  /**
   * Unconfined, the sandbox stand-in's containers are host processes the front cannot tell from anyone else: their
   * presigned requests are then taken as coming through the endpoint, and the rehearsal says it did not check this.
   * The rehearsal's own requests are the exception (the faults that use a leaked URL from the internet): the front
   * recognizes its own process's connections (Linux) and takes them as coming from elsewhere.
   */
  readonly presignedComeThroughEndpoint: boolean;
}

/**
 * The local S3 server the front forwards to: its URL, or a Unix socket where it also serves. Over a Unix socket an
 * answer a task does not read queues ~88 KB in the kernel instead of the host's TCP buffers (up to `tcp_wmem`'s
 * maximum, ~3.5 MB per connection here: ~56 MB for a task's 16 connections, counted by no limit of the task).
 */
export type S3Upstream = string | { readonly socketPath: string };

/** Where requests to the upstream go, and the Host they name. */
function upstreamOf(target: S3Upstream): {
  address: Pick<RequestOptions, 'hostname' | 'port' | 'socketPath'>;
  host: string;
} {
  if (typeof target !== 'string') return { address: { socketPath: target.socketPath }, host: 'localhost' };
  const url = new URL(target);
  return { address: { hostname: url.hostname, port: url.port }, host: url.host };
}

/**
 * The S3 the rehearsal's requests see, in front of s3rver (which checks neither signatures nor POST policies):
 * presigned GETs and POSTs are checked as S3 does (presigned-checks.ts); every request is then authorized against the
 * signing role's synthesized policy, the session policy that narrows it and the bucket policy. It listens twice: `url`
 * is S3 as the trusted functions and the internet reach it; `endpoint` is S3 through the sandbox's gateway endpoint,
 * which only the task network's listener reaches. Requests through it carry the endpoint's condition keys and must
 * pass its policy too; requests elsewhere carry neither, so a leaked URL used outside the sandbox meets the bucket
 * policy's network Deny. Every object written is announced (`onObjectCreated`, S3's EventBridge notification) and
 * answered only once its event has been handled, so a rule's verdict on the object (the late-object sweeper's) is in
 * before anyone can act on the answer.
 */
export async function startS3Front(
  target: S3Upstream,
  bucketArn: (bucket: string) => string,
  region: string,
  registry: CredentialRegistry,
  authorizer: Authorizer,
  policies: S3FrontPolicies,
  onObjectCreated: (bucket: string, key: string) => Promise<void> = async () => undefined,
) {
  const accesses: ObjectAccess[] = [];
  const { address: upstreamAddress, host: upstreamHost } = upstreamOf(target);

  const authorize = async (
    via: RequestOrigin,
    identity: Identity,
    action: string,
    bucket: string,
    key: string,
    context: Record<string, string> = {},
    keyUses: readonly KeyUse[] = [],
  ) => {
    const resource = key === '' ? bucketArn(bucket) : `${bucketArn(bucket)}/${key}`;
    const throughEndpoint = via === 'sandbox endpoint';
    const objectKey = policies.objectKey(bucket);
    try {
      if (identity.expiresAt !== undefined && Date.now() > identity.expiresAt)
        throw new Refused('The provided token has expired.');
      await authorizer.authorize(
        identity.roleArn,
        action,
        resource,
        throughEndpoint ? { ...context, ...policies.endpoint.context } : context,
        {
          sessionPolicy: identity.sessionPolicy,
          resourcePolicy: policies.bucketPolicy(bucket),
          endpointPolicies: throughEndpoint ? [policies.endpoint.policy] : undefined,
        },
      );
      // S3 then calls KMS as the caller, from S3 itself: no endpoint, no network keys, the key policy applies.
      for (const use of keyUses) {
        if (!objectKey) break;
        await authorizer.authorizeKeyUse(
          identity.roleArn,
          use === 'read' ? 'kms:Decrypt' : 'kms:GenerateDataKey',
          objectKey.arn,
          objectKey.policy,
          {
            'kms:ViaService': `s3.${region}.amazonaws.com`,
            'kms:EncryptionContext:aws:s3:arn': objectKey.bucketKeyEnabled ? bucketArn(bucket) : resource,
          },
          identity.sessionPolicy,
        );
      }
      const prefix = context['s3:prefix'];
      accesses.push({
        accessKeyId: identity.accessKeyId,
        roleArn: identity.roleArn,
        action,
        key,
        allowed: true,
        via,
        ...(prefix === undefined ? {} : { prefix }),
      });
    } catch (error) {
      accesses.push({
        accessKeyId: identity.accessKeyId,
        roleArn: identity.roleArn,
        action,
        key,
        allowed: false,
        reason: (error as Error).message,
        via,
      });
      throw error instanceof AccessDenied || error instanceof Refused ? new RecordedRefusal(error.message) : error;
    }
  };

  // s3rver reset or refused a connection (it happens under load): answer as S3 answers its own failures, with a
  // 500 the SDK retries, instead of an unhandled error that ends the rehearsal and every run in it.
  const upstreamFailed = (res: ServerResponse) => (error: Error) => {
    if (res.headersSent) res.destroy(error);
    else xmlError(res, 500, 'InternalError', `the local S3 server failed: ${error.message}`);
  };

  // Forwarded unsigned: the front has verified and authorized the request; s3rver knows only its built-in key.
  // Only what was authorized goes on: the bucket and key as checked, re-encoded, to s3rver's own host (it would take
  // another Host as the bucket's name, and a raw path could say something else than the one authorized).
  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    target: { bucket: string; key: string; search: string },
    created?: { bucket: string; key: string },
  ) => {
    const { authorization: _signature, 'x-amz-security-token': _token, host: _host, ...unsigned } = req.headers;
    const path = `/${target.bucket}${target.key === '' ? '' : `/${target.key.split('/').map(encodeURIComponent).join('/')}`}${target.search}`;
    upstreamRequest(
      {
        ...upstreamAddress,
        method: req.method,
        path,
        headers: { ...unsigned, host: upstreamHost },
      },
      body,
      (response) => {
        const announced =
          created && response.statusCode === 200 ? onObjectCreated(created.bucket, created.key) : Promise.resolve();
        void announced.then(() => {
          res.writeHead(response.statusCode ?? 500, response.headers);
          // Not pipe(): when the caller resets or closes before the answer is whole (or before it began), pipe
          // leaves s3rver's answer paused and its connection held for good, and a task can do that in a loop until
          // the rehearsal has no descriptor left. pipeline destroys each side when the other ends early.
          pipeline(response, res, () => undefined);
        });
      },
      upstreamFailed(res),
    );
  };

  const authorizeForeign = async (accessKeyId: string, action: string, bucket: string, key: string) => {
    const resource = key === '' ? bucketArn(bucket) : `${bucketArn(bucket)}/${key}`;
    const access = { accessKeyId, roleArn: FOREIGN_PRINCIPAL, action, key, via: 'sandbox endpoint' } as const;
    try {
      await authorizer.authorizeForeign(
        action,
        resource,
        policies.bucketAccount(bucket) ?? accountOfArn(FOREIGN_PRINCIPAL) ?? '',
        policies.endpoint.context,
        { resourcePolicy: policies.bucketPolicy(bucket), endpointPolicies: [policies.endpoint.policy] },
      );
      accesses.push({ ...access, allowed: true });
    } catch (error) {
      if (!(error instanceof AccessDenied)) throw error;
      accesses.push({ ...access, allowed: false, reason: error.message });
      throw new RecordedRefusal(error.message);
    }
  };

  const handlePost = async (
    via: RequestOrigin,
    req: IncomingMessage,
    res: ServerResponse,
    bucket: string,
    body: Buffer,
  ) => {
    const form = await readPostForm(String(req.headers['content-type']), body);
    const { identity, key, file } = await verifyPresignedPost(form, bucket, registry);
    await authorize(via, identity, 's3:PutObject', bucket, key, {}, ['write']);
    const content = Buffer.from(await file.arrayBuffer());
    upstreamRequest(
      {
        ...upstreamAddress,
        method: 'PUT',
        path: `/${bucket}/${key}`,
        headers: {
          'content-type': form.fields['Content-Type'] ?? 'application/octet-stream',
          'content-length': content.length,
        },
      },
      content,
      (response) => {
        response.on('error', () => undefined).resume();
        const announced = response.statusCode === 200 ? onObjectCreated(bucket, key) : Promise.resolve();
        void announced.then(() => {
          res.writeHead(response.statusCode === 200 ? 204 : (response.statusCode ?? 500));
          res.end();
        });
      },
      upstreamFailed(res),
    );
  };

  const handle = async (arrivedThrough: RequestOrigin, req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const presigned =
      url.searchParams.has('X-Amz-Signature') ||
      (req.method === 'POST' && String(req.headers['content-type']).startsWith('multipart/form-data'));
    const via =
      presigned &&
      policies.presignedComeThroughEndpoint &&
      arrivedThrough === 'elsewhere' &&
      !isOwnConnection(req.socket)
        ? 'sandbox endpoint'
        : arrivedThrough;
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    let body: Buffer;
    try {
      body = await readBody(req, via === 'sandbox endpoint' ? SANDBOX_BODY_BYTES : Number.POSITIVE_INFINITY);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      // The rest of the body is read and dropped (Node dumps an unread request) until the connection ends after the
      // answer: a lingering close. Closing at once (what `Connection: close` makes Node do) resets a connection
      // with the caller's bytes still unread in it, and a caller that is still sending can lose the answer; seen
      // under load as an empty answer or a sender waiting for ever.
      res.on('finish', () => {
        req.socket.end();
        setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
      });
      return xmlError(
        res,
        400,
        'EntityTooLarge',
        `Your proposed upload exceeds the maximum allowed size: ${error.message}.`,
      );
    }
    try {
      if (!isPlainKey(key) || (bucket !== '' && !BUCKET_NAME.test(bucket)))
        throw new Refused('The rehearsal serves only plain bucket names and keys without "." or ".." segments.');
      if (url.searchParams.has('X-Amz-Signature')) {
        const identity = await verifyPresignedUrl(
          { method: req.method ?? 'GET', url, host: String(req.headers.host) },
          registry,
          region,
        );
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new Refused('only presigned GET is served');
        await authorize(via, identity, 's3:GetObject', bucket, key, {}, req.method === 'GET' ? ['read'] : []);
        return forward(req, res, body, { bucket, key, search: '' });
      }
      if (
        req.method === 'POST' &&
        !url.searchParams.has('delete') &&
        String(req.headers['content-type']).startsWith('multipart/form-data')
      ) {
        return await handlePost(via, req, res, bucket, body);
      }
      // Requests signed in the Authorization header: the trusted functions' SDK calls.
      const accessKeyId = accessKeyOf(String(req.headers.authorization ?? '')) ?? '';
      const identity = registry.get(accessKeyId);
      if (!identity && via === 'sandbox endpoint' && accessKeyId !== '') {
        // Keys of no role here, through the sandbox's endpoint: the untrusted code with credentials of its own
        // account, say to exfiltrate to its own bucket. Its account would allow it; the endpoint policy must not.
        await authorizeForeign(accessKeyId, actionOf(req.method, key, url), bucket, key);
        return forward(req, res, body, { bucket, key, search: url.search });
      }
      if (!identity) throw new Refused('The AWS Access Key Id you provided does not exist in our records.');
      if (req.method === 'POST' && url.searchParams.has('delete')) {
        for (const match of body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)) {
          if (!isPlainKey(match[1] ?? ''))
            throw new Refused('The rehearsal deletes only keys without "." or ".." segments.');
          await authorize(via, identity, 's3:DeleteObject', bucket, match[1] ?? '');
        }
      } else if (key === '' && req.method === 'GET') {
        await authorize(via, identity, 's3:ListBucket', bucket, '', {
          's3:prefix': url.searchParams.get('prefix') ?? '',
        });
      } else {
        const action = actionOf(req.method, key, url);
        await authorize(via, identity, action, bucket, key, {}, keyUsesOf(req));
        if (
          req.method === 'PUT' &&
          req.headers['if-none-match'] === '*' &&
          (await objectExists(upstreamAddress, bucket, key))
        )
          return xmlError(
            res,
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
          );
      }
      return forward(
        req,
        res,
        body,
        { bucket, key, search: url.search },
        req.method === 'PUT' ? { bucket, key } : undefined,
      );
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      // Refusals before authorization (bad signature, expired, policy conditions) are recorded too.
      if (!(error instanceof RecordedRefusal)) {
        accesses.push({
          accessKeyId: '',
          roleArn: '',
          action: `${req.method ?? ''} ${url.searchParams.has('X-Amz-Signature') ? '(presigned URL)' : '(presigned POST)'}`,
          key,
          allowed: false,
          reason: error.message,
          via,
        });
      }
      return xmlError(res, 403, 'AccessDenied', error instanceof RecordedRefusal ? error.answer : error.message);
    }
  };

  const [elsewhere, endpoint] = await Promise.all([
    listen((req, res) => handle('elsewhere', req, res)),
    // The task network's connections: one request at a time each, so a task's connection holds one answer at most.
    listen(oneRequestAtATime((req, res) => handle('sandbox endpoint', req, res))),
  ]);
  return { ...elsewhere, endpoint, accesses };
}
