import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { CliError } from './cli-error.js';

// Node's socket error codes for "no route to AWS": the request never reached STS, so the credentials are untested.
const NETWORK_ERROR_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

const isNetworkError = (error: unknown): boolean => {
  const { code, name } = error as { code?: string; name?: string };
  return (code !== undefined && NETWORK_ERROR_CODES.has(code)) || name === 'TimeoutError';
};

/**
 * Refuses to act unless the credentials belong to the account this step must run in: a run started with the
 * wrong profile would fail later, less clearly, or act on the wrong environment.
 */
export async function requireAccount(sts: STSClient, expected: string, what: string): Promise<string> {
  let identity;
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    const detail = (error as Error).message;
    throw new CliError(
      isNetworkError(error)
        ? `cannot reach AWS STS to check the credentials for the ${what} (${detail}). Fix: check your network connection, proxy (HTTPS_PROXY) or VPN, then retry`
        : `cannot identify your AWS credentials for the ${what} (${detail}). Fix: sign in, e.g. aws sso login`,
    );
  }
  if (identity.Account !== expected) {
    throw new CliError(
      `your credentials are for account ${identity.Account ?? 'unknown'}, but the ${what} is account ${expected}. Fix: use a profile of account ${expected} (AWS_PROFILE=...)`,
    );
  }
  return identity.Arn ?? '';
}
