/** What one read-only check of a deployed account found. */
export type CheckStatus = 'VERIFIED' | 'MISMATCH' | 'NOT CHECKED';

export interface CheckResult {
  readonly status: CheckStatus;
  /** What was checked, e.g. `role airlock-dev-sandbox-launcher`. */
  readonly subject: string;
  /** For MISMATCH, what differs; for NOT CHECKED, why not and who covers it instead. */
  readonly detail?: string;
  /** The IAM action the reading role was denied, when that is why the check could not be made. */
  readonly deniedPermission?: string;
}

export const verified = (subject: string, detail?: string): CheckResult => ({ status: 'VERIFIED', subject, detail });
export const mismatch = (subject: string, detail: string): CheckResult => ({ status: 'MISMATCH', subject, detail });
export const notChecked = (subject: string, detail: string): CheckResult => ({
  status: 'NOT CHECKED',
  subject,
  detail,
});

/** An AWS call that failed, with the IAM action it needed, so the result can name the permission. */
export class AwsCallFailed extends Error {
  constructor(
    readonly permission: string,
    readonly failure: Error,
  ) {
    super(`${permission} failed: ${failure.name}: ${failure.message}`);
  }
}

/** Sends one AWS request; a failure is rethrown naming the IAM action it needed. */
export async function awsCall<T>(permission: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new AwsCallFailed(permission, error as Error);
  }
}

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'KmsAccessDeniedException',
  'AuthorizationError',
]);
const MISSING = new Set([
  'NoSuchEntity',
  'NoSuchEntityException',
  'StateMachineDoesNotExist',
  'NoSuchBucket',
  'NoSuchBucketPolicy',
  'InvalidFlowLogId.NotFound',
  'InvalidVpcID.NotFound',
  'ClientException',
]);

/**
 * Runs one check. A denied AWS call reads NOT CHECKED naming the permission (the lookup role's read access is
 * itself unverified until a deploy; its permissions are never widened to make a check pass), a missing resource
 * reads MISMATCH, and any other AWS error NOT CHECKED with the error, so one failing call never hides the others.
 */
export async function runCheck(subject: string, check: () => Promise<CheckResult[]>): Promise<CheckResult[]> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof AwsCallFailed)) throw error;
    const { permission, failure } = error;
    if (DENIED.has(failure.name))
      return [
        {
          ...notChecked(subject, `${permission} was denied to the reading role (${failure.name}: ${failure.message})`),
          deniedPermission: permission,
        },
      ];
    if (MISSING.has(failure.name) || (failure.name === 'ValidationError' && /does not exist/.test(failure.message)))
      return [mismatch(subject, `not deployed: ${permission} answered ${failure.name} (${failure.message})`)];
    return [notChecked(subject, error.message)];
  }
}

/** One line of output: `VERIFIED <subject>`, `MISMATCH <subject>: <what differs>`, `NOT CHECKED <subject>: <why>`. */
export const formatResult = (result: CheckResult): string =>
  `${result.status} ${result.subject}${result.detail ? `: ${result.detail}` : ''}`;
