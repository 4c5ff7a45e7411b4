/**
 * What prepare (data account) hands out for one run, the orchestrator carries into the launch request, and the
 * sandbox's `fetch` and `deliver` containers read: one presigned GET, one presigned POST and a deadline, all strings
 * because they travel as container variables.
 */
export interface RunGrant {
  readonly inputUrl: string;
  /** JSON of an {@link OutputPost} for exactly this run's output. */
  readonly outputPost: string;
  /** Epoch milliseconds, as a string. */
  readonly deadline: string;
}

/**
 * The presigned POST of `output.json` as it travels in {@link RunGrant.outputPost}: the URL, the signed policy's
 * JSON text and its signature, nothing else. Every other form field of a presigned POST is an equality condition of
 * the policy (`{"key": …}`, `{"X-Amz-Security-Token": …}`, …), and the `Policy` field is the base64 of that exact
 * text, so `deliver` rebuilds the form with {@link outputPostFields}. Sending the fields, or the policy in base64,
 * would carry the session token again or a third longer and push RunTask's overrides past 8,192 characters.
 */
export interface OutputPost {
  readonly url: string;
  /** The policy document's exact text (its base64 is what was signed). */
  readonly policy: string;
  readonly signature: string;
}

/** A presigned POST as the SDK's `createPresignedPost` returns it. */
export interface PresignedPostForm {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

const POLICY_FIELD = 'Policy';
const SIGNATURE_FIELD = 'X-Amz-Signature';

const toBase64 = (text: string): string =>
  btoa(Array.from(new TextEncoder().encode(text), (byte) => String.fromCharCode(byte)).join(''));
const fromBase64 = (base64: string): string =>
  new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));

/** The wire form of `post`; throws if a field could not be rebuilt exactly (nothing may be lost). */
export function compactOutputPost(post: PresignedPostForm): OutputPost {
  const policy = post.fields[POLICY_FIELD];
  const signature = post.fields[SIGNATURE_FIELD];
  if (policy === undefined || signature === undefined) {
    throw new Error(`a presigned POST needs the fields ${POLICY_FIELD} and ${SIGNATURE_FIELD}`);
  }
  const compact: OutputPost = { url: post.url, policy: fromBase64(policy), signature };
  const rebuilt = outputPostFields(compact);
  for (const [name, value] of Object.entries(post.fields)) {
    if (rebuilt[name] !== value) {
      throw new Error(`the POST field ${name} is not an equality condition of its policy, so it would be lost`);
    }
  }
  return compact;
}

/**
 * The form fields of `post`: every `{"name": "value"}` condition of its policy, then the policy (base64, as signed)
 * and the signature. Throws a plain message when the policy is not a JSON document with a `conditions` array.
 */
export function outputPostFields(post: OutputPost): Record<string, string> {
  let conditions: unknown;
  try {
    conditions = (JSON.parse(post.policy) as { conditions?: unknown }).conditions;
  } catch {
    throw new Error('the POST policy must be a JSON document');
  }
  if (!Array.isArray(conditions)) throw new Error('the POST policy must have a conditions array');
  const fields: Record<string, string> = {};
  for (const condition of conditions as unknown[]) {
    if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) continue;
    const entries = Object.entries(condition);
    const [name, value] = entries[0] ?? [];
    // Own keys only (Object.entries), so a "__proto__" condition is a plain field name, never a prototype.
    if (entries.length === 1 && name !== undefined && typeof value === 'string') {
      Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  fields[POLICY_FIELD] = toBase64(post.policy);
  fields[SIGNATURE_FIELD] = post.signature;
  return fields;
}
