import {
  ID_RULE,
  isValidId,
  outputPostFields,
  runInputKey,
  runOutputKey,
  type OutputPost,
  type PresignedPostForm,
} from '@airlock/contracts';
import { CONTAINER_EXIT, SCRATCH_PATH, VARIABLE } from '@airlock/contracts';

type Env = Readonly<Record<string, string | undefined>>;
type ExitCode = (typeof CONTAINER_EXIT)[keyof typeof CONTAINER_EXIT];

/** A container refuses to work: the exit code the launch result will carry, and a message naming the variable. */
export class RoleRefusal extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

const badEnvironment = (message: string) => new RoleRefusal(CONTAINER_EXIT.BAD_ENVIRONMENT, message);
/** A URL longer than this is not one S3 presigned for us (RunTask overrides are capped at 8,192 characters anyway). */
const MAX_URL_LENGTH = 8192;
/** The presigned URLs cannot outlive a chained role session (one hour), so neither can a run. */
const MAX_RUN_SECONDS = 3600;

export function readScratchDir(env: Env): string {
  return env[VARIABLE.SCRATCH_DIR] || SCRATCH_PATH;
}

export function readRunId(env: Env): string {
  const runId = env[VARIABLE.RUN_ID];
  if (!isValidId(runId)) throw badEnvironment(`${VARIABLE.RUN_ID} must be a run ID: ${ID_RULE}`);
  return runId;
}

/**
 * The deadline (epoch ms), refused when it has passed or lies further ahead than RUN_MAX_SECONDS: the orchestrator
 * chooses it, and a far deadline would keep untrusted code running and the URLs alive.
 */
export function readDeadline(env: Env, now = Date.now()): number {
  const maxSeconds = Number(env[VARIABLE.RUN_MAX_SECONDS]);
  if (!Number.isSafeInteger(maxSeconds) || maxSeconds < 1 || maxSeconds > MAX_RUN_SECONDS) {
    throw badEnvironment(
      `${VARIABLE.RUN_MAX_SECONDS} must be a whole number of seconds from 1 to ${MAX_RUN_SECONDS} (set in the task definition)`,
    );
  }
  const deadline = Number(env[VARIABLE.RUN_DEADLINE]);
  if (!Number.isSafeInteger(deadline) || deadline <= 0) {
    throw badEnvironment(`${VARIABLE.RUN_DEADLINE} must be the run deadline in epoch milliseconds`);
  }
  if (deadline <= now) {
    throw new RoleRefusal(CONTAINER_EXIT.DEADLINE, `${VARIABLE.RUN_DEADLINE} has passed ${now - deadline} ms ago`);
  }
  if (deadline > now + maxSeconds * 1000) {
    throw new RoleRefusal(
      CONTAINER_EXIT.DEADLINE_REFUSED,
      `${VARIABLE.RUN_DEADLINE} is ${Math.round((deadline - now) / 1000)} s away; it must be at most ${VARIABLE.RUN_MAX_SECONDS} (${maxSeconds} s) from now`,
    );
  }
  return deadline;
}

/** Variables that grant access to data or AWS (credentials, or the task-role endpoint): run must hold none. */
const ACCESS_VARIABLE = new RegExp(
  `^(${VARIABLE.INPUT_URL}|${VARIABLE.OUTPUT_POST}|AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|CONTAINER_\\w+))$`,
);
/** What every presigned URL or POST carries, in a query parameter or a form field. */
const SIGNATURE_MARKS = /x-amz-(signature|credential|security-token)/i;

/**
 * Refuses an environment that holds a URL, a presigned POST or AWS credentials: the submission shares run's uid and
 * can read run's start-up environment in /proc/1/environ, so a task definition or override that ever gave run one
 * would hand it to untrusted code.
 */
export function refuseAccessGrants(env: Env): void {
  const names = Object.entries(env)
    .filter(([name, value]) => ACCESS_VARIABLE.test(name) || SIGNATURE_MARKS.test(value ?? ''))
    .map(([name]) => name);
  if (names.length > 0) {
    throw badEnvironment(
      `${names.sort().join(', ')} must not be set for run: the submission can read run's environment; only fetch and deliver receive URLs`,
    );
  }
}

/** The data bucket's object-URL prefix from the task definition: an http(s) URL ending in "/", nothing else. */
export function readDataUrlPrefix(env: Env): string {
  const prefix = env[VARIABLE.DATA_URL_PREFIX] ?? '';
  const problem = `${VARIABLE.DATA_URL_PREFIX} must be the data bucket's object-URL prefix, e.g. https://<bucket>.s3.<region>.amazonaws.com/`;
  let url: URL;
  try {
    url = new URL(prefix);
  } catch {
    throw badEnvironment(problem);
  }
  if (
    !['https:', 'http:'].includes(url.protocol) ||
    url.href !== prefix ||
    !prefix.endsWith('/') ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    throw badEnvironment(problem);
  }
  return prefix;
}

/**
 * INPUT_URL must be exactly `<prefix>runs/<RUN_ID>/input.tar.gz`, then the presigned query: a compromised
 * orchestrator chooses this string, and fetch must not download from another host, bucket, key or run.
 */
export function readInputUrl(env: Env, prefix: string, runId: string): string {
  const value = env[VARIABLE.INPUT_URL] ?? '';
  const expected = prefix + runInputKey(runId);
  const rest = value.startsWith(expected) ? value.slice(expected.length) : undefined;
  if (rest === undefined || !(rest === '' || rest.startsWith('?')) || !sameResource(value, expected)) {
    throw new RoleRefusal(
      CONTAINER_EXIT.URL_REFUSED,
      `${VARIABLE.INPUT_URL} must be ${expected} followed by the presigned query; it is not this run's input object`,
    );
  }
  return value;
}

/**
 * OUTPUT_POST must be `{url, policy, signature}` (contracts' OutputPost); its form fields are rebuilt from the
 * policy's equality conditions. It must post to the data bucket (the prefix itself) with field `key` =
 * `runs/<RUN_ID>/output.json`, and no second spelling of `key` (S3 reads form field names without regard to case).
 */
export function readOutputPost(env: Env, prefix: string, runId: string): PresignedPostForm {
  const shape = `${VARIABLE.OUTPUT_POST} must be JSON: {"url": "...", "policy": "<the policy document>", "signature": "..."}`;
  let wire: unknown;
  try {
    wire = JSON.parse(env[VARIABLE.OUTPUT_POST] ?? '');
  } catch {
    throw badEnvironment(shape);
  }
  if (!isOutputPost(wire)) throw badEnvironment(shape);
  let fields: Record<string, string>;
  try {
    fields = outputPostFields(wire);
  } catch (error) {
    throw badEnvironment(`${VARIABLE.OUTPUT_POST}: ${(error as Error).message}`);
  }
  const post: PresignedPostForm = { url: wire.url, fields };
  const expectedKey = runOutputKey(runId);
  const keyFields = Object.keys(post.fields).filter((name) => name.toLowerCase() === 'key');
  // S3 takes the first field named `file` as the object's content and checks no policy condition on it: a `file`
  // among the fields would upload the orchestrator's text instead of the run's output.
  if (Object.keys(post.fields).some((name) => name.toLowerCase() === 'file')) {
    throw new RoleRefusal(
      CONTAINER_EXIT.URL_REFUSED,
      `${VARIABLE.OUTPUT_POST} must not have a field named file: deliver sends the file itself`,
    );
  }
  if (
    ![prefix, prefix.slice(0, -1)].includes(post.url) ||
    keyFields.join() !== 'key' ||
    post.fields.key !== expectedKey
  ) {
    throw new RoleRefusal(
      CONTAINER_EXIT.URL_REFUSED,
      `${VARIABLE.OUTPUT_POST} must post to ${prefix} with the field key = ${expectedKey}; it is not this run's output object`,
    );
  }
  return post;
}

function isOutputPost(value: unknown): value is OutputPost {
  if (typeof value !== 'object' || value === null) return false;
  const { url, policy, signature } = value as Record<string, unknown>;
  return (
    typeof url === 'string' &&
    url.length <= MAX_URL_LENGTH &&
    typeof policy === 'string' &&
    policy.length <= MAX_URL_LENGTH &&
    typeof signature === 'string' &&
    signature.length <= 256
  );
}

/** The parsed URL names the same origin and path as the expected string: no userinfo, fragment or stripped character. */
function sameResource(value: string, expected: string): boolean {
  if (value.length > MAX_URL_LENGTH) return false;
  try {
    const url = new URL(value);
    const want = new URL(expected);
    return url.origin === want.origin && url.pathname === want.pathname && !url.username && !url.password && !url.hash;
  } catch {
    return false;
  }
}
