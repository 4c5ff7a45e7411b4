import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  runRecordKey,
  submissionRecordKey,
  type RunRecord,
  type RunStatus,
  type SubmissionStatus,
} from '@airlock/contracts';

export interface SubmissionRecord {
  readonly submissionId: string;
  readonly archiveKey: string;
  /** Hex SHA-256 of the archive as the uploader computed it. */
  readonly sha256: string;
  readonly status: SubmissionStatus;
  /** The run that claimed it, once claimed. */
  readonly claimedBy?: string;
}

/** The submission record's attributes prepare reads (within SUBMISSION_CLAIM_ATTRIBUTES, which its role allows). */
export const SUBMISSION_FIELDS = ['archiveKey', 'sha256', 'status', 'claimedBy'] as const;
/** The run record's attributes the data plane reads (within RUN_RECORD_ATTRIBUTES). */
export const RUN_FIELDS = ['submissionId', 'status', 'reason', 'resultKey', 'inputSha256', 'attempt'] as const;

const fieldNames = (fields: readonly string[]) => Object.fromEntries(fields.map((f, i) => [`#f${i}`, f]));

/** What a claim found: this run owns the submission now (or already did), or another run does. */
export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly claimedBy?: string };

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
        // Only what prepare uses: the function's role may read nothing else of the record (dynamodb:Attributes).
        ProjectionExpression: SUBMISSION_FIELDS.map((_, i) => `#f${i}`).join(', '),
        ExpressionAttributeNames: fieldNames(SUBMISSION_FIELDS),
      }),
    );
    if (!Item?.archiveKey?.S) return undefined;
    return {
      submissionId,
      archiveKey: Item.archiveKey.S,
      sha256: Item.sha256?.S ?? '',
      status: (Item.status?.S ?? 'UPLOADED') as SubmissionStatus,
      ...(Item.claimedBy?.S ? { claimedBy: Item.claimedBy.S } : {}),
    };
  }

  /**
   * Claims a waiting submission for one run: UPLOADED -> CLAIMED, conditional, so a submission runs once. Claiming
   * again for the same run (a retried prepare) succeeds; for any other run it reports who holds it.
   */
  async claimSubmission(submissionId: string, runId: string): Promise<ClaimResult> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: submissionRecordKey(submissionId) } },
          UpdateExpression: 'SET #status = :claimed, #claimedBy = :runId, #claimedAt = :now',
          ConditionExpression:
            'attribute_exists(pk) AND (#status = :uploaded OR (#status = :claimed AND #claimedBy = :runId))',
          ExpressionAttributeNames: { '#status': 'status', '#claimedBy': 'claimedBy', '#claimedAt': 'claimedAt' },
          ExpressionAttributeValues: {
            ':claimed': { S: 'CLAIMED' satisfies SubmissionStatus },
            ':uploaded': { S: 'UPLOADED' satisfies SubmissionStatus },
            ':runId': { S: runId },
            ':now': { S: this.now().toISOString() },
          },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.getSubmission(submissionId);
      return { claimed: false, ...(current?.claimedBy ? { claimedBy: current.claimedBy } : {}) };
    }
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { pk: { S: runRecordKey(runId) } },
        ConsistentRead: true,
        ProjectionExpression: RUN_FIELDS.map((_, i) => `#f${i}`).join(', '),
        ExpressionAttributeNames: fieldNames(RUN_FIELDS),
      }),
    );
    if (!Item) return undefined;
    return {
      runId,
      submissionId: Item.submissionId?.S ?? '',
      status: Item.status?.S as RunStatus,
      ...(Item.reason?.S ? { reason: Item.reason.S } : {}),
      ...(Item.resultKey?.S ? { resultKey: Item.resultKey.S } : {}),
      ...(Item.inputSha256?.S ? { inputSha256: Item.inputSha256.S } : {}),
      ...(Item.attempt?.S ? { attempt: Item.attempt.S } : {}),
    };
  }

  /**
   * Starts a run record with a fresh `attempt` (a random ID that the run's report repeats, so a report of an older
   * run under the same ID can never pass as this one's); true if it was created, false if a record already exists.
   * It is kept `retentionDays`, as long as the run's report, so a run ID cannot be reused while its report exists.
   */
  async startRun(runId: string, submissionId: string, retentionDays: number): Promise<boolean> {
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
            attempt: { S: randomUUID() },
            createdAt: { S: now.toISOString() },
            expiresAt: { N: String(Math.floor(now.getTime() / 1000) + retentionDays * 86_400) },
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
