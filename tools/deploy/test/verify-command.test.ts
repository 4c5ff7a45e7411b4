import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeManagedPrefixListsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ReadClients } from '@airlock/post-deploy';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deployCli } from '../src/deploy-cli.js';

const region = 'eu-west-1';

function orchestratorSts() {
  const sts = new STSClient({ region });
  const mock = mockClient(sts);
  mock.on(GetCallerIdentityCommand).resolves({ Account: '111111111111' });
  // Both target roles refuse a missing or wrong ExternalId, as they must.
  mock.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
  return sts;
}

/** Every client mocked (no request leaves the machine); the account's stack is not deployed. */
function readClientsWithoutTheStack() {
  const clients: ReadClients = {
    cloudFormation: new CloudFormationClient({ region }),
    ec2: new EC2Client({ region }),
    ecs: new ECSClient({ region }),
    iam: new IAMClient({ region }),
    s3: new S3Client({ region }),
    sfn: new SFNClient({ region }),
  };
  mockClient(clients.ecs);
  mockClient(clients.s3);
  mockClient(clients.sfn);
  mockClient(clients.cloudFormation)
    .on(ListStackResourcesCommand)
    .callsFake((input: { StackName?: string }) => {
      throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' });
    });
  mockClient(clients.ec2).on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [] });
  return { clients, iam: mockClient(clients.iam) };
}

describe('airlock-deploy verify', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('fails on a MISMATCH, naming it on stderr, and writes every line to the job summary', async () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'airlock-verify-')), 'summary.md');
    writeFileSync(summary, '');
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
    vi.stubEnv('AIRLOCK_ENV', 'example');
    const out = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const readClientsFor = vi.fn(async () => readClientsWithoutTheStack().clients);

    expect(await deployCli(['verify', 'orchestrator'], orchestratorSts(), readClientsFor)).toBe(1);

    const printed = out.mock.calls.map(([line]) => String(line));
    expect(printed.filter((l) => l.startsWith('✓ ')).length).toBe(4);
    expect(printed).toContain(
      'MISMATCH stack airlock-example-orchestrator: not deployed: cloudformation:ListStackResources answered ValidationError (Stack with id airlock-example-orchestrator does not exist)',
    );
    expect(printed.filter((l) => l.startsWith('NOT CHECKED ')).length).toBeGreaterThan(0);
    expect(String(err.mock.calls[0]?.[0])).toMatch(
      /^airlock-deploy: airlock-example-orchestrator differs from the deployed cloud assembly:\n {2}MISMATCH stack airlock-example-orchestrator/,
    );
    const written = readFileSync(summary, 'utf8');
    expect(written).toMatch(/^### airlock-example-orchestrator against cdk\.out: 1 MISMATCH\n/);
    expect(written).toContain('- NOT CHECKED the organization guardrails (SCPs) as AWS evaluates them');
  });
});

describe('airlock-deploy verify of the sandbox or data account', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('reports a missing target role as a MISMATCH line and fails, with no stack trace', async () => {
    vi.stubEnv('GITHUB_STEP_SUMMARY', '');
    vi.stubEnv('AIRLOCK_ENV', 'example');
    const out = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const sts = new STSClient({ region });
    mockClient(sts).on(GetCallerIdentityCommand).resolves({ Account: '333333333333' });
    const { clients, iam } = readClientsWithoutTheStack();
    iam.on(GetRoleCommand).rejects(
      Object.assign(new Error('The role with name airlock-example-data-invoker cannot be found.'), {
        name: 'NoSuchEntity',
      }),
    );

    expect(await deployCli(['verify', 'data'], sts, async () => clients)).toBe(1);
    expect(out.mock.calls.map(([line]) => String(line))).toContain(
      'MISMATCH the names the orchestrator relies on: NoSuchEntity: The role with name airlock-example-data-invoker cannot be found.',
    );
  });
});
