import type { Authorizer } from '../../iam/authorizer.js';
import { accessKeyOf, type CredentialRegistry } from '../../iam/credentials.js';
import { listen, readBody } from '../http-server.js';
import { upstreamRequest } from '../upstream-request.js';
import { dynamoDbConditionKeys } from './condition-keys.js';

/**
 * In front of the local DynamoDB: every call is authorized as `dynamodb:<Operation>` on the table's ARN against
 * the calling function's role, with the keys and attributes it names (condition-keys.ts), then passed through.
 */
export async function startDynamoDbFront(
  target: string,
  tableArn: (name: string) => string,
  registry: CredentialRegistry,
  authorizer: Authorizer,
) {
  /** Every call let through, by operation and partition key, for pricing runs. */
  const calls: Array<{ operation: string; partitionKey: string }> = [];
  const endpoint = await listen(async (req, res) => {
    const body = await readBody(req);
    const identity = registry.get(accessKeyOf(String(req.headers.authorization ?? '')) ?? '');
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const parsed = JSON.parse(body.toString('utf8') || '{}') as { TableName?: string };
    const table = parsed.TableName ?? '';
    const deny = (message: string) => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message }));
    };
    if (!identity) return deny('unknown access key');
    try {
      await authorizer.authorize(
        identity.roleArn,
        `dynamodb:${operation}`,
        tableArn(table),
        dynamoDbConditionKeys(operation, parsed),
      );
    } catch (error) {
      return deny((error as Error).message);
    }
    const partitionKey = (parsed as { Key?: { pk?: { S?: string } }; Item?: { pk?: { S?: string } } }).Key?.pk?.S;
    calls.push({
      operation,
      partitionKey: partitionKey ?? (parsed as { Item?: { pk?: { S?: string } } }).Item?.pk?.S ?? '',
    });
    const url = new URL(target);
    upstreamRequest(
      { hostname: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers },
      body,
      (response) => {
        res.writeHead(response.statusCode ?? 500, response.headers);
        response.on('error', () => res.destroy());
        response.pipe(res);
      },
      (error) => {
        // dynalite failed: answer as DynamoDB answers its own failures (a 500 the SDK retries), not with an
        // unhandled error that ends the rehearsal and every run in it.
        if (res.headersSent) return res.destroy(error);
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: `the local DynamoDB failed: ${error.message}`,
          }),
        );
      },
    );
  });
  return { ...endpoint, calls };
}
