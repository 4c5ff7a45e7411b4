import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('the STS client of the data-plane functions', () => {
  it("calls the regional STS name, which the VPC's interface endpoint answers, even in a region where the global name is legacy", async () => {
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_ENDPOINT_URL', '');
    vi.stubEnv('AWS_ENDPOINT_URL_STS', '');
    const { sts } = await import('../../src/functions/common/clients.js');
    const hosts: string[] = [];
    // Stops each request where it would leave the process: no network.
    sts.middlewareStack.add(
      () => (args) => {
        hosts.push((args.request as { hostname: string }).hostname);
        return Promise.reject(new Error('not sent'));
      },
      { step: 'finalizeRequest', priority: 'low' },
    );
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toThrow('not sent');
    expect(hosts).toEqual(['sts.us-east-1.amazonaws.com']);
  });
});
