import { GetItemCommand, type DynamoDBClient, type GetItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { ServiceCall, ServiceHandler } from '../stepfunctions/sandbox-workflow.js';
import { dynamoDbConditionKeys } from './condition-keys.js';

/**
 * The DynamoDB SDK integration the data account's workflows use (`aws-sdk:dynamodb:getItem`), authorized as the
 * calling workflow's own role with the fine-grained keys DynamoDB adds (leading key, attributes, select), then
 * answered from the local table in the SDK's shape (`{ Item }`).
 */
export function dynamoDbIntegrations(
  dynamodb: DynamoDBClient,
  tableArn: (table: string) => string,
): Record<string, ServiceHandler> {
  const getItem = async (call: ServiceCall, req: GetItemCommandInput): Promise<unknown> => {
    await call.act('dynamodb:GetItem', tableArn(req.TableName ?? ''), dynamoDbConditionKeys('GetItem', req));
    const { Item } = await dynamodb.send(new GetItemCommand(req));
    return Item ? { Item } : {};
  };
  return { 'arn:aws:states:::aws-sdk:dynamodb:getItem': getItem as ServiceHandler };
}
