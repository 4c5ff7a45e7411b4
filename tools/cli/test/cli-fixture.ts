import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { loadEnvironment } from '@airlock/shared/environment';
import { mockClient } from 'aws-sdk-client-mock';
import type { CliDeps } from '../src/cli-deps.js';

export const env = loadEnvironment('example');

/** Mocked clients for one test; `lines` collects what the command printed. */
export function cliFixture() {
  const clients = {
    sfn: new SFNClient({ region: env.region }),
    sts: new STSClient({ region: env.region }),
    data: {
      sts: new STSClient({ region: env.region }),
      s3: new S3Client({ region: env.region }),
      dynamodb: new DynamoDBClient({ region: env.region }),
    },
  };
  const mocks = {
    sfn: mockClient(clients.sfn),
    sts: mockClient(clients.sts),
    dataSts: mockClient(clients.data.sts),
    s3: mockClient(clients.data.s3),
    dynamodb: mockClient(clients.data.dynamodb),
  };
  mocks.sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: env.accounts.orchestrator, Arn: 'arn:aws:sts::111111111111:assumed-role/operator/alice' });
  mocks.dataSts.on(GetCallerIdentityCommand).resolves({ Account: env.accounts.data });
  const lines: string[] = [];
  let ids = 0;
  const deps: CliDeps = {
    ...clients,
    out: (l) => lines.push(l),
    pollIntervalMs: 0,
    sleep: () => Promise.resolve(),
    newId: () => `id${++ids}`,
  };
  return { deps, mocks, lines };
}

export function archiveFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'airlock-cli-')), 'submission.tar.gz');
  writeFileSync(file, Buffer.from('fake archive bytes'));
  return file;
}
