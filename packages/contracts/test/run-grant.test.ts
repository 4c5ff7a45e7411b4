import { describe, expect, it } from 'vitest';
import { compactOutputPost, outputPostFields, type PresignedPostForm } from '../src/index.js';

const token = 'T'.repeat(2600);
const fieldsInPolicy = {
  'Content-Type': 'application/json',
  bucket: 'data-bucket',
  'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
  'X-Amz-Credential': 'ASIAEXAMPLE/20261124/eu-west-1/s3/aws4_request',
  'X-Amz-Date': '20261124T000000Z',
  'X-Amz-Security-Token': token,
  key: 'runs/run-1/output.json',
};
const policyOf = (conditions: unknown[]) =>
  Buffer.from(JSON.stringify({ expiration: '2026-11-24T01:00:00Z', conditions })).toString('base64');
// The shape createPresignedPost returns: each field is also an equality condition of the policy.
const sdkPost: PresignedPostForm = {
  url: 'https://data-bucket.s3.eu-west-1.amazonaws.com/',
  fields: {
    ...fieldsInPolicy,
    Policy: policyOf([
      ['content-length-range', 1, 262144],
      ['eq', '$Content-Type', 'application/json'],
      ...Object.entries(fieldsInPolicy).map(([k, v]) => ({ [k]: v })),
    ]),
    'X-Amz-Signature': 'ab'.repeat(32),
  },
};

describe('the output POST on the wire', () => {
  it('carries the session token once (in the policy) and rebuilds exactly the fields S3 needs', () => {
    const wire = JSON.stringify(compactOutputPost(sdkPost));
    expect(wire.split(token).length - 1).toBe(1); // once, in the policy's text
    expect(wire.length).toBeLessThan(token.length + 700);
    expect(outputPostFields(JSON.parse(wire))).toEqual(sdkPost.fields);
  });

  it('refuses to drop a field that the policy does not state', () => {
    expect(() => compactOutputPost({ ...sdkPost, fields: { ...sdkPost.fields, acl: 'public-read' } })).toThrow(
      'the POST field acl is not an equality condition of its policy, so it would be lost',
    );
    const { Policy: _policy, ...unsigned } = sdkPost.fields;
    expect(() => compactOutputPost({ ...sdkPost, fields: unsigned })).toThrow(/needs the fields Policy/);
  });

  it('signs what was signed: the Policy field is the base64 of the exact text, non-ASCII included', () => {
    const policy = JSON.stringify({ conditions: [{ key: 'runs/run-1/output.json' }], note: 'é ✓' });
    const fields = outputPostFields({ url: 'u', signature: 's', policy });
    expect(Buffer.from(fields.Policy!, 'base64').toString('utf8')).toBe(policy);
    expect(compactOutputPost({ url: 'u', fields }).policy).toBe(policy);
  });

  it('names the problem with a policy that is not a JSON document with conditions', () => {
    const post = { url: 'u', signature: 's' };
    expect(() => outputPostFields({ ...post, policy: '%%%' })).toThrow('the POST policy must be a JSON document');
    expect(() => outputPostFields({ ...post, policy: '{}' })).toThrow('must have a conditions array');
  });

  it('takes a "__proto__" condition as a field name, never as a prototype', () => {
    const policy = JSON.stringify({ conditions: [JSON.parse('{"__proto__":"x"}')] });
    const fields = outputPostFields({ url: 'u', signature: 's', policy });
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.keys(fields)).toEqual(['__proto__', 'Policy', 'X-Amz-Signature']);
  });
});
