import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import type { AirlockEnvironment } from '@airlock/shared/environment';

/** Everything a command touches outside itself, so tests can replace it. */
export interface CliDeps {
  readonly sfn: SFNClient;
  /** STS with the orchestrator account's credentials. */
  readonly sts: STSClient;
  /** Clients with the data account's credentials, for uploads. */
  readonly data: { readonly sts: STSClient; readonly s3: S3Client; readonly dynamodb: DynamoDBClient };
  readonly out: (line: string) => void;
  readonly pollIntervalMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly newId: () => string;
}

/** Real clients: the default credential chain for the orchestrator account, `dataProfile` for the data account. */
export function defaultDeps(env: AirlockEnvironment, dataProfile: string | undefined): CliDeps {
  const region = env.region;
  const dataConfig = { region, ...(dataProfile ? { profile: dataProfile } : {}) };
  return {
    sfn: new SFNClient({ region }),
    sts: new STSClient({ region }),
    data: { sts: new STSClient(dataConfig), s3: new S3Client(dataConfig), dynamodb: new DynamoDBClient(dataConfig) },
    out: (line) => console.log(line),
    pollIntervalMs: 2_000,
    newId: () =>
      `${new Date()
        .toISOString()
        .replace(/[-:T.Z]/g, '')
        .slice(0, 14)}-${crypto.randomUUID().slice(0, 8)}`,
  };
}
