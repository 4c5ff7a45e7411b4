import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { STSClient } from '@aws-sdk/client-sts';
import type { ProbeConfig } from '@airlock/contracts';

/** Everything the canary touches outside itself: AWS's clients, or the same clients aimed at the rehearsal. */
export interface CanaryDeps {
  /** As the orchestrator canary role. */
  readonly orchestrator: { readonly sts: STSClient; readonly sfn: SFNClient };
  /** As the data canary role. */
  readonly data: { readonly sts: STSClient; readonly s3: S3Client; readonly dynamodb: DynamoDBClient };
  /** Where the probe aims from inside the task. */
  readonly probe: ProbeConfig;
  readonly out: (line: string) => void;
  readonly pollIntervalMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly newId: () => string;
}
