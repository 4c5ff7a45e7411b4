import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { RunRecords } from '../../src/functions/common/run-records.js';

const region = 'eu-west-1';
// s3rver's built-in account; it checks that the key exists, not the signature.
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** An S3-compatible and a DynamoDB-compatible server on loopback, with the bucket and table of one test file. */
export async function startLocalStores() {
  const bucket = 'airlock-test-data';
  const table = 'airlock-test-runs';
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: mkdtempSync(join(tmpdir(), 'airlock-s3-')),
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const s3Address = (await s3rver.run()) as AddressInfo;
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', () => resolve()));
  const dynamoPort = (dynamo.address() as AddressInfo).port;

  const s3 = new S3Client({
    region,
    credentials,
    endpoint: `http://127.0.0.1:${s3Address.port}`,
    forcePathStyle: true,
  });
  const dynamodb = new DynamoDBClient({ region, credentials, endpoint: `http://127.0.0.1:${dynamoPort}` });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );

  return {
    bucket,
    table,
    s3,
    dynamodb,
    credentials,
    records: new RunRecords(dynamodb, table),
    put: (key: string, body: string | Buffer) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })),
    keys: async (prefix = ''): Promise<string[]> => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    stop: async () => {
      await s3rver.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
}

export type LocalStores = Awaited<ReturnType<typeof startLocalStores>>;
