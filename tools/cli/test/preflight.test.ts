import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { requireAccount } from '../src/preflight.js';

const failingSts = (error: Error) => {
  const sts = new STSClient({ region: 'eu-west-1' });
  mockClient(sts).on(GetCallerIdentityCommand).rejects(error);
  return sts;
};

describe('requireAccount', () => {
  it('says the network is unreachable when STS cannot be reached', async () => {
    const offline = Object.assign(new Error('getaddrinfo ENOTFOUND sts.eu-west-1.amazonaws.com'), {
      code: 'ENOTFOUND',
    });
    await expect(requireAccount(failingSts(offline), '111111111111', 'orchestrator account')).rejects.toThrow(
      /^cannot reach AWS STS .*Fix: check your network connection/,
    );
  });

  it('asks the operator to sign in when the credentials cannot be identified', async () => {
    const signedOut = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    await expect(requireAccount(failingSts(signedOut), '111111111111', 'orchestrator account')).rejects.toThrow(
      /^cannot identify your AWS credentials .*Fix: sign in/,
    );
  });
});
