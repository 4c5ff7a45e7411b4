import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SignerCredentials } from './url-signer.js';

/** Built once per execution environment. The SDK reads AWS_ENDPOINT_URL_* itself, which the rehearsal sets. */
export const logger = new Logger({ serviceName: 'airlock-data-plane' });
export const dynamodb = new DynamoDBClient({});
// Regional STS (sts.<region>.amazonaws.com), never the global name: only the regional one resolves to the VPC's STS
// endpoint, and the functions have no other way out. SDK v3's default, pinned so that no option or upgrade moves it.
export const sts = new STSClient({ useGlobalEndpoint: false });

export const s3Client = (forcePathStyle: boolean, credentials?: SignerCredentials) =>
  new S3Client({ forcePathStyle, ...(credentials ? { credentials } : {}) });
