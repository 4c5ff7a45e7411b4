/**
 * The fine-grained access condition keys DynamoDB puts in a request's context, so the function roles'
 * `dynamodb:LeadingKeys`, `dynamodb:Attributes` and `dynamodb:Select` conditions are evaluated as AWS would:
 * the partition key of the item, every attribute the request names (key, item, projection, expression names),
 * and, for a read, whether it asks for specific attributes or all of them.
 */
export function dynamoDbConditionKeys(operation: string, request: unknown): Record<string, string | string[]> {
  const r = (request ?? {}) as {
    Key?: Record<string, { S?: string }>;
    Item?: Record<string, { S?: string }>;
    ProjectionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
  };
  const keyAttributes = r.Key ?? r.Item ?? {};
  const leading = keyAttributes.pk?.S;
  const attributes = new Set<string>([
    ...Object.keys(r.Key ?? {}),
    ...Object.keys(r.Item ?? {}),
    ...Object.values(r.ExpressionAttributeNames ?? {}),
  ]);
  const keys: Record<string, string | string[]> = { 'dynamodb:Attributes': [...attributes] };
  if (leading !== undefined) keys['dynamodb:LeadingKeys'] = [leading];
  if (operation === 'GetItem' || operation === 'Query' || operation === 'Scan')
    keys['dynamodb:Select'] = r.ProjectionExpression ? 'SPECIFIC_ATTRIBUTES' : 'ALL_ATTRIBUTES';
  return keys;
}
