import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ProbeFindings } from '@airlock/contracts';
import { loadEnvironment } from '@airlock/shared/environment';
import { mockClient } from 'aws-sdk-client-mock';
import type { CanaryDeps } from '../src/canary-deps.js';

export const env = loadEnvironment('example');

/** What a probe on a well-configured Fargate task would report. */
export const containedFindings = (): ProbeFindings => ({
  probe: 1,
  mode: 'aws',
  metadata: [
    {
      target: 'ECS_CONTAINER_METADATA_URI_V4/task',
      reached: true,
      credentials: false,
      detail: 'HTTP 200; discloses: Cluster, TaskARN',
    },
    { target: '169.254.170.2/v2/credentials/', reached: true, credentials: false, detail: 'HTTP 400: invalid' },
    {
      target: '169.254.169.254/latest/meta-data/iam/security-credentials/',
      reached: false,
      credentials: false,
      detail: 'ETIMEDOUT',
    },
  ],
  dns: [{ target: 'example.com', reached: false, detail: 'ENOTFOUND' }],
  internet: [{ target: '1.1.1.1:443', reached: false, detail: 'ETIMEDOUT' }],
  foreignBucket: {
    target: 'https://s3.eu-west-1.amazonaws.com/x?list-type=2',
    reached: false,
    detail: 'HTTP 403 AccessDenied',
  },
  environments: [
    { pid: '1', self: false, readable: true, secrets: [] },
    { pid: '7', self: true, readable: true, secrets: [] },
  ],
  scratch: { path: '/scratch/out', uid: 10001, gid: 10001, mode: '755', freeBytes: 20 * 1024 ** 3 },
  identity: { uid: 10001, gid: 10001, capEff: '0000000000000000', capBnd: '0000000000000000' },
  neighbours: [{ pid: '1', signalled: true, traceable: true, detail: 'signal and mem both allowed' }],
  overrides: { observedLength: 120, detail: "the supervisor's environment (4 variables)" },
});

export interface Scenario {
  /** The status each run's execution ends with, in order (example, then probe). */
  readonly statuses?: readonly string[];
  readonly findings?: unknown;
  /** Keys listed under each run's prefix after it ended. */
  readonly leftovers?: readonly string[];
}

/** Mocked AWS clients playing a deployed environment; `lines` collects the canary's progress. */
export function canaryFixture(scenario: Scenario = {}) {
  const clients = {
    orchestrator: { sts: new STSClient({ region: env.region }), sfn: new SFNClient({ region: env.region }) },
    data: {
      sts: new STSClient({ region: env.region }),
      s3: new S3Client({ region: env.region }),
      dynamodb: new DynamoDBClient({ region: env.region }),
    },
  };
  const mocks = {
    orchestratorSts: mockClient(clients.orchestrator.sts),
    sfn: mockClient(clients.orchestrator.sfn),
    dataSts: mockClient(clients.data.sts),
    s3: mockClient(clients.data.s3),
    dynamodb: mockClient(clients.data.dynamodb),
  };
  mocks.orchestratorSts.on(GetCallerIdentityCommand).resolves({ Account: env.accounts.orchestrator });
  mocks.dataSts.on(GetCallerIdentityCommand).resolves({
    Account: env.accounts.data,
    Arn: 'arn:aws:sts::333333333333:assumed-role/airlock-example-data-canary/c',
  });
  mocks.dynamodb.on(PutItemCommand).resolves({});
  mocks.s3.on(PutObjectCommand).resolves({});
  const statuses = [...(scenario.statuses ?? ['SUCCEEDED', 'SUCCEEDED'])];
  const byExecution = new Map<string, string>();
  mocks.sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
    byExecution.set(input.name, statuses.shift() ?? 'SUCCEEDED');
    return { executionArn: `arn:aws:states:eu-west-1:111111111111:execution:airlock-example-analysis:${input.name}` };
  });
  const nameOf = (arn: string) => arn.split(':').at(-1) ?? '';
  mocks.sfn.on(GetExecutionHistoryCommand).resolves({
    events: [
      { id: 1, type: 'ExecutionStarted', timestamp: new Date(0) },
      { id: 2, type: 'TaskStateExited', timestamp: new Date(1500), stateExitedEventDetails: { name: 'Prepare' } },
    ],
  });
  mocks.sfn
    .on(DescribeExecutionCommand)
    .callsFake((input: { executionArn: string }) => ({ status: byExecution.get(nameOf(input.executionArn)) }));
  mocks.dynamodb.on(GetItemCommand).callsFake((input: { Key: { pk: { S: string } } }) => {
    const status = byExecution.get(input.Key.pk.S.replace('run#', ''));
    return {
      Item: {
        status: { S: status ?? 'FAILED' },
        ...(status === 'SUCCEEDED' ? {} : { reason: { S: 'prepare refused the archive' } }),
      },
    };
  });
  mocks.s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const probe = input.Key.includes('canary-id2');
    const report = { result: probe ? (scenario.findings ?? containedFindings()) : { files: 3 } };
    return { Body: { transformToString: () => Promise.resolve(JSON.stringify(report)) } };
  });
  mocks.s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
    Contents: (scenario.leftovers ?? []).map((key) => ({ Key: `${input.Prefix}${key}` })),
  }));
  const lines: string[] = [];
  let ids = 0;
  const deps: CanaryDeps = {
    ...clients,
    probe: { mode: 'aws', s3Endpoint: 'https://s3.eu-west-1.amazonaws.com', foreignBucket: 'not-ours' },
    out: (l) => lines.push(l),
    pollIntervalMs: 0,
    sleep: () => Promise.resolve(),
    newId: () => `id${++ids}`,
  };
  return { deps, mocks, lines };
}
