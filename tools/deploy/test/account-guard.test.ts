import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { loadEnvironment } from '@airlock/shared/environment';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { assertDeployAccount } from '../src/account-guard.js';

const env = loadEnvironment('example');

function sts() {
  const client = new STSClient({ region: 'eu-west-1' });
  return { client, mock: mockClient(client) };
}

describe('assertDeployAccount', () => {
  it("lets the sandbox app deploy with the sandbox account's credentials", async () => {
    const { client, mock } = sts();
    mock.on(GetCallerIdentityCommand).resolves({ Account: '222222222222' });
    await expect(assertDeployAccount(client, env, 'sandbox')).resolves.toBe('222222222222');
  });

  it("refuses another account's credentials with one clear line", async () => {
    const { client, mock } = sts();
    mock.on(GetCallerIdentityCommand).resolves({ Account: '333333333333' });
    await expect(assertDeployAccount(client, env, 'sandbox')).rejects.toThrow(
      'refusing to deploy the sandbox app of environment "example" into account 333333333333: it belongs in account 222222222222. Fix: use the sandbox account\'s deploy role',
    );
  });

  it('refuses when there are no credentials at all', async () => {
    const { client, mock } = sts();
    mock
      .on(GetCallerIdentityCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      );
    await expect(assertDeployAccount(client, env, 'data')).rejects.toThrow(
      /^refusing to deploy the data app of environment "example": no usable AWS credentials \(Could not load credentials from any providers\)\. Fix: /,
    );
  });
});
