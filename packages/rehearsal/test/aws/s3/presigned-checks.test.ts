import { createHmac } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readPostForm, verifyPresignedPost, verifyPresignedUrl } from '../../../src/aws/s3/presigned-checks.js';
import { CredentialRegistry, type Identity } from '../../../src/iam/credentials.js';

const REGION = 'eu-west-1';
const BUCKET = 'airlock-example-data';
const ENDPOINT = 'http://127.0.0.1:4566';
const INPUT = 'runs/run-1/input.tar.gz';
const OUTPUT = 'runs/run-1/output.json';
const SIGNER_ROLE = 'arn:aws:iam::333333333333:role/signer';

// Presigned URLs and POSTs are made by the real AWS SDK, as the prepare function makes them.
const clientFor = (credentials: Pick<Identity, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>) =>
  new S3Client({ region: REGION, endpoint: ENDPOINT, forcePathStyle: true, credentials });

let registry: CredentialRegistry;
let signer: Identity;
let other: Identity;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-01T00:00:00Z') });
  registry = new CredentialRegistry();
  signer = registry.session(SIGNER_ROLE, 3600);
  other = registry.session(SIGNER_ROLE, 3600);
});
afterEach(() => vi.useRealTimers());

describe('verifyPresignedUrl', () => {
  const presignGet = (credentials = signer, key = INPUT) =>
    getSignedUrl(clientFor(credentials), new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 60 });
  const check = (signed: string, method = 'GET') => {
    const url = new URL(signed);
    return verifyPresignedUrl({ method, url, host: url.host }, registry, REGION);
  };

  it('accepts a URL as the SDK signed it, naming its signer', async () => {
    expect(await check(await presignGet())).toBe(signer);
  });

  it('fails when the URL has expired', async () => {
    const signed = await presignGet();
    vi.setSystemTime(Date.now() + 61_000);
    await expect(check(signed)).rejects.toThrow(/^Request has expired$/);
  });

  it("fails when the URL is re-signed with another key's secret under the signer's access key", async () => {
    const forged = await presignGet({ ...signer, secretAccessKey: other.secretAccessKey });
    await expect(check(forged)).rejects.toThrow(/signature we calculated does not match/);
  });

  it.each([
    ['the object key', (u: URL) => void (u.pathname = u.pathname.replace('run-1', 'run-2'))],
    ['the expiry', (u: URL) => u.searchParams.set('X-Amz-Expires', '3600')],
    ['an added parameter', (u: URL) => u.searchParams.set('response-content-type', 'text/html')],
  ])('fails when the query or path is altered: %s', async (_what, alter) => {
    const url = new URL(await presignGet());
    alter(url);
    await expect(check(url.href)).rejects.toThrow(/signature we calculated does not match/);
  });

  it('fails when the URL is used with another method', async () => {
    await expect(check(await presignGet(), 'DELETE')).rejects.toThrow(/signature we calculated does not match/);
  });

  it.each([
    ['an unknown access key', () => ({ ...signer, accessKeyId: 'ASIAUNKNOWN0000000' })],
    ['another session token', () => ({ ...signer, sessionToken: other.sessionToken })],
  ])('fails when signed with %s', async (_what, credentials) => {
    await expect(check(await presignGet(credentials()))).rejects.toThrow(
      /^The AWS Access Key Id you provided does not exist in our records\.$/,
    );
  });
});

describe('verifyPresignedPost', () => {
  const presignPost = async (credentials = signer) =>
    createPresignedPost(clientFor(credentials), {
      Bucket: BUCKET,
      Key: OUTPUT,
      Conditions: [
        ['content-length-range', 1, 1024],
        ['eq', '$Content-Type', 'application/json'],
      ],
      Fields: { 'Content-Type': 'application/json' },
      Expires: 60,
    });
  const file = (bytes = 10) => new Blob([Buffer.alloc(bytes, 'a')]);
  const check = (fields: Record<string, string>, body = file()) =>
    verifyPresignedPost({ fields, file: body }, BUCKET, registry);

  it('accepts a POST as the SDK signed it, naming its signer and its key', async () => {
    const { fields } = await presignPost();
    expect(await check(fields)).toMatchObject({ identity: signer, key: OUTPUT });
  });

  it('fails when the policy has expired', async () => {
    const { fields } = await presignPost();
    vi.setSystemTime(Date.now() + 61_000);
    await expect(check(fields)).rejects.toThrow(/^Invalid according to Policy: Policy expired\.$/);
  });

  it("fails when the policy is re-signed with another key's secret under the signer's access key", async () => {
    const { fields } = await presignPost({ ...signer, secretAccessKey: other.secretAccessKey });
    await expect(check(fields)).rejects.toThrow(/^Invalid according to Policy: signature$/);
  });

  it("fails when the policy is altered (another run's key) and the signature kept", async () => {
    const { fields } = await presignPost();
    const policy = Buffer.from(fields.Policy!, 'base64').toString('utf8').replace('run-1', 'run-2');
    await expect(check({ ...fields, Policy: Buffer.from(policy).toString('base64') })).rejects.toThrow(
      /^Invalid according to Policy: signature$/,
    );
  });

  it("fails when the form names another object key (another run's output)", async () => {
    const { fields } = await presignPost();
    await expect(check({ ...fields, key: 'runs/run-2/output.json' })).rejects.toThrow(
      /^Invalid according to Policy: Policy Condition failed: \{"key":"runs\/run-1\/output\.json"\}$/,
    );
  });

  it('fails when the key field is oddly cased and names another object', async () => {
    const { key: _key, ...fields } = (await presignPost()).fields;
    await expect(check({ ...fields, KEY: 'runs/run-2/output.json' })).rejects.toThrow(/Policy Condition failed/);
  });

  it.each([
    ['an unknown access key', () => ({ ...signer, accessKeyId: 'ASIAUNKNOWN0000000' })],
    ["another session's token", () => ({ ...signer, sessionToken: other.sessionToken })],
  ])('fails when signed with %s', async (_what, credentials) => {
    const { fields } = await presignPost(credentials());
    await expect(check(fields)).rejects.toThrow(/^Invalid according to Policy: credentials$/);
  });

  it('accepts the key field in any casing, as S3 does', async () => {
    const { key, ...fields } = (await presignPost()).fields;
    expect(await check({ ...fields, Key: key! })).toMatchObject({ key: OUTPUT });
  });

  it.each([
    ['an extra field', { 'x-amz-meta-note': 'hi' }, 'x-amz-meta-note'],
    ['an oddly-cased copy of a covered field', { 'content-type': 'text/html' }, 'content-type'],
  ])('fails when the form carries %s the policy does not cover', async (_what, extra, name) => {
    const { fields } = await presignPost();
    await expect(check({ ...fields, ...extra })).rejects.toThrow(
      new RegExp(`^Invalid according to Policy: Extra input fields: ${name}$`),
    );
  });

  it('fails when the file is larger than the policy allows', async () => {
    const { fields } = await presignPost();
    await expect(check(fields, file(1025))).rejects.toThrow(/^Your proposed upload exceeds the maximum allowed size$/);
  });

  it("fails when the form leaves out a field the policy's conditions require", async () => {
    const { 'Content-Type': _type, ...fields } = (await presignPost()).fields;
    await expect(check(fields)).rejects.toThrow(
      /Policy Condition failed: \["eq","\$Content-Type","application\/json"\]/,
    );
  });

  it('fails when the signed policy has no condition on the key, whatever key the form names', async () => {
    // Signed by hand: the SDK always adds a key condition.
    const policy = Buffer.from(
      JSON.stringify({
        expiration: new Date(Date.now() + 60_000).toISOString(),
        conditions: [{ bucket: BUCKET }, ['content-length-range', 1, 1024]],
      }),
    ).toString('base64');
    const date = '20260101';
    const credential = `${signer.accessKeyId}/${date}/${REGION}/s3/aws4_request`;
    const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
    const signingKey = [date, REGION, 's3', 'aws4_request'].reduce<string | Buffer>(
      (key, part) => hmac(key, part),
      `AWS4${signer.secretAccessKey}`,
    );
    const fields = {
      key: OUTPUT,
      'X-Amz-Credential': credential,
      'X-Amz-Security-Token': signer.sessionToken!,
      Policy: policy,
      'X-Amz-Signature': hmac(signingKey, policy).toString('hex'),
    };
    await expect(check(fields)).rejects.toThrow(
      /^Invalid according to Policy: Extra input fields: key, X-Amz-Credential, X-Amz-Security-Token$/,
    );
  });
});

describe('readPostForm', () => {
  const multipart = async (entries: Array<[string, string | Blob]>) => {
    const form = new FormData();
    for (const [name, value] of entries) form.append(name, value);
    const request = new Request('http://front/', { method: 'POST', body: form });
    return readPostForm(request.headers.get('content-type')!, Buffer.from(await request.arrayBuffer()));
  };

  it('reads the fields by name as sent, and the file', async () => {
    const form = await multipart([
      ['key', OUTPUT],
      ['file', new Blob(['{}'])],
    ]);
    expect(form.fields).toEqual({ key: OUTPUT });
    expect(await form.file?.text()).toBe('{}');
  });

  it('fails when a field is sent twice in different casings', async () => {
    await expect(
      multipart([
        ['key', OUTPUT],
        ['Key', 'runs/run-2/output.json'],
      ]),
    ).rejects.toThrow(/^Invalid according to Policy: duplicate field Key$/);
  });
});
