import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { CliError } from './cli-error.js';

/**
 * Refuses to act unless the credentials belong to the account this step must run in: a run started with the
 * wrong profile would fail later, less clearly, or act on the wrong environment.
 */
export async function requireAccount(sts: STSClient, expected: string, what: string): Promise<string> {
  let identity;
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    throw new CliError(
      `cannot identify your AWS credentials for the ${what} (${(error as Error).message}). Fix: sign in, e.g. aws sso login`,
    );
  }
  if (identity.Account !== expected) {
    throw new CliError(
      `your credentials are for account ${identity.Account ?? 'unknown'}, but the ${what} is account ${expected}. Fix: use a profile of account ${expected} (AWS_PROFILE=...)`,
    );
  }
  return identity.Arn ?? '';
}
