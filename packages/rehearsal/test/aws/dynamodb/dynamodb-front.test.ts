import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { runRecordKey } from '@airlock/contracts';
import { loadEnvironment } from '@airlock/shared/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbFront } from '../../../src/aws/dynamodb/dynamodb-front.js';
import { close } from '../../../src/aws/http-server.js';
import { Authorizer } from '../../../src/iam/authorizer.js';
import { CredentialRegistry } from '../../../src/iam/credentials.js';
import { loadArtifacts } from '../../../src/run/artifacts.js';

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`).
const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const artifacts = loadArtifacts(loadEnvironment('example'), root);
const prepareRoleArn = [...artifacts.functions.values()].find((f) => f.environment.SIGNER_ROLE_ARN)?.roleArn ?? '';

describe('the DynamoDB front', () => {
  let upstream: Server;
  let resetUpstream = false;
  let front: Awaited<ReturnType<typeof startDynamoDbFront>>;
  const registry = new CredentialRegistry();
  const prepare = registry.forRole(prepareRoleArn);

  /** The prepare function's PutItem of a run record, as its SDK sends it (the front reads the key, not the signature). */
  const putRecord = () =>
    new Promise<string>((resolve, reject) => {
      const body = JSON.stringify({ TableName: artifacts.table, Item: { pk: { S: runRecordKey('run-1') } } });
      const outgoing = request(
        `${front.url}/`,
        {
          method: 'POST',
          headers: {
            'x-amz-target': 'DynamoDB_20120810.PutItem',
            'content-type': 'application/x-amz-json-1.0',
            authorization: `AWS4-HMAC-SHA256 Credential=${prepare.accessKeyId}/20261124/${artifacts.env.region}/dynamodb/aws4_request`,
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve(`${response.statusCode} ${text}`));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  beforeAll(async () => {
    // Stands in for dynalite: whatever the front lets through is answered (or, when a test says so, reset).
    upstream = createServer((req, res) => (resetUpstream ? req.socket.destroy() : res.end('{}')));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    front = await startDynamoDbFront(
      `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      (table) =>
        `arn:${artifacts.env.partition}:dynamodb:${artifacts.env.region}:${artifacts.env.accounts.data}:table/${table}`,
      registry,
      new Authorizer(artifacts.surface),
    );
  });
  afterAll(async () => {
    await Promise.all([front.server, upstream].map(close));
  });

  it('answers a 500 the SDK retries when the local DynamoDB resets the connection, and keeps serving', async () => {
    expect(await putRecord()).toBe('200 {}');
    resetUpstream = true;
    try {
      expect(await putRecord()).toMatch(/^500 \{"__type":"com\.amazonaws\.dynamodb\.v20120810#InternalServerError"/);
    } finally {
      resetUpstream = false;
    }
    expect(await putRecord()).toBe('200 {}');
  });
});
