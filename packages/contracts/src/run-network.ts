/**
 * Where a run's presigned URLs work: only through a VPC endpoint owned by the sandbox account. One condition, used
 * by the data bucket's Deny and the URL signer's session policy, and by the trust review and rehearsal that prove
 * them. `aws:VpceAccount` names the endpoint's owner (S3 gateway endpoints set it); a request from the internet
 * carries no such key, and `StringNotEquals` on a missing key matches, so a Deny built on it refuses those too.
 */
export const VPCE_ACCOUNT_KEY = 'aws:VpceAccount';

/** The Deny's condition (with no `Null` guard: that would exempt requests that carry no endpoint at all). */
export const outsideSandboxNetwork = (sandboxAccount: string) => ({
  StringNotEquals: { [VPCE_ACCOUNT_KEY]: sandboxAccount },
});

/** The Allow's condition, for S3 statements only: S3 calls KMS on the caller's behalf, where it would fail. */
export const throughSandboxNetwork = (sandboxAccount: string) => ({
  StringEquals: { [VPCE_ACCOUNT_KEY]: sandboxAccount },
});
