import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { RunRecords } from '../../src/functions/common/run-records.js';

const region = 'eu-west-1';
// s3rver's built-in account; it checks that the key exists, not the signature.
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * s3rver ignores `If-None-Match: *`; S3 answers 412 when the key exists. The client checks first, as S3 would, so
 * the code's conditional writes meet the real answer (no concurrency here, so check-then-put is exact enough).
 */
function refuseOverwrites(s3: S3Client): void {
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Bucket?: string; Key?: string; IfNoneMatch?: string };
      if (context.commandName === 'PutObjectCommand' && input.IfNoneMatch === '*') {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: input.Bucket, Prefix: input.Key, MaxKeys: 1 }));
        if (page.Contents?.[0]?.Key === input.Key)
          throw new S3ServiceException({
            name: 'PreconditionFailed',
            $fault: 'client',
            $metadata: { httpStatusCode: 412 },
            message: 'At least one of the pre-conditions you specified did not hold',
          });
      }
      return next(args);
    },
    { step: 'initialize', name: 'refuseOverwrites' },
  );
}

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
  refuseOverwrites(s3);
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
