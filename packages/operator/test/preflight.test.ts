import { createServer, type AddressInfo } from 'node:net';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { requireAccount } from '../src/preflight.js';

const failingSts = (error: Error) => {
  const sts = new STSClient({ region: 'eu-west-1' });
  mockClient(sts).on(GetCallerIdentityCommand).rejects(error);
  return sts;
};

/** A loopback port that was just free: connecting to it is refused, as with no route to AWS. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('requireAccount', () => {
  it('says the network is unreachable when the real SDK cannot connect to STS', async () => {
    const sts = new STSClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example' },
      maxAttempts: 1,
    });
    await expect(requireAccount(sts, '111111111111', 'orchestrator account')).rejects.toThrow(
      /^cannot reach AWS STS to check the credentials for the orchestrator account .*Fix: check your network connection/,
    );
  });

  it('says the network is unreachable when STS cannot be resolved', async () => {
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
