import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { runRecordKey, submissionRecordKey, type RunRecord, type RunStatus } from '@airlock/contracts';
import { DATA_PLANE_LIMITS } from './limits.js';

export interface SubmissionRecord {
  readonly submissionId: string;
  readonly archiveKey: string;
}

/**
 * Run and submission records in the runs table. Every write is conditional on the status it expects, so a retried
 * step never moves a record backwards or overwrites a final outcome.
 */
export class RunRecords {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async getSubmission(submissionId: string): Promise<SubmissionRecord | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { pk: { S: submissionRecordKey(submissionId) } },
        ConsistentRead: true,
      }),
    );
    return Item?.archiveKey?.S ? { submissionId, archiveKey: Item.archiveKey.S } : undefined;
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: { S: runRecordKey(runId) } }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      runId,
      submissionId: Item.submissionId?.S ?? '',
      status: Item.status?.S as RunStatus,
      ...(Item.reason?.S ? { reason: Item.reason.S } : {}),
      ...(Item.resultKey?.S ? { resultKey: Item.resultKey.S } : {}),
    };
  }

  /** Starts a run record; true if it was created, false if this same run already has one (a retried prepare). */
  async startRun(runId: string, submissionId: string): Promise<boolean> {
    const now = this.now();
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: { S: runRecordKey(runId) },
            runId: { S: runId },
            submissionId: { S: submissionId },
            status: { S: 'PREPARING' },
            createdAt: { S: now.toISOString() },
            expiresAt: { N: String(Math.floor(now.getTime() / 1000) + DATA_PLANE_LIMITS.recordRetentionDays * 86_400) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Moves a run from one of `from` to `to`, with extra attributes; false if the record was not in `from`. */
  async transition(
    runId: string,
    from: readonly RunStatus[],
    to: RunStatus,
    attributes: Record<string, string | number> = {},
  ): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    const values: Record<string, AttributeValue> = { ':to': { S: to }, ':updatedAt': { S: this.now().toISOString() } };
    const sets = ['#status = :to', '#updatedAt = :updatedAt'];
    Object.entries(attributes).forEach(([key, value], i) => {
      names[`#a${i}`] = key;
      values[`:a${i}`] = typeof value === 'number' ? { N: String(value) } : { S: value };
      sets.push(`#a${i} = :a${i}`);
    });
    from.forEach((status, i) => (values[`:from${i}`] = { S: status }));
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: runRecordKey(runId) } },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
