import { request } from 'node:http';
import type { Authorizer } from '../../iam/authorizer.js';
import { accessKeyOf, type CredentialRegistry } from '../../iam/credentials.js';
import { listen, readBody } from '../http-server.js';
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
    const upstream = request(
      { hostname: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers },
      (response) => {
        res.writeHead(response.statusCode ?? 500, response.headers);
        response.pipe(res);
      },
    );
    upstream.end(body);
  });
  return { ...endpoint, calls };
}
