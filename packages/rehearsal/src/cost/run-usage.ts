import { runRecordKey, submissionRecordKey } from '@airlock/contracts';
import type { ObjectAccess } from '../aws/s3/s3-front.js';
import type { ExpressUsage } from '../aws/stepfunctions/express-engine.js';
import type { RunUsage } from './run-cost.js';

/** DynamoDB operations billed as writes; the rest of what the functions call (GetItem, Query) are reads. */
const DYNAMODB_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/** What the rehearsal recorded of one run, across its fronts and engines. */
export interface RunRecords {
  readonly runId: string;
  readonly submissionId: string;
  readonly transitions: { readonly analysis: number; readonly launch: number };
  readonly express: readonly ExpressUsage[];
  readonly task?: RunUsage['fargateTask'];
  readonly accesses: readonly ObjectAccess[];
  readonly dynamoCalls: readonly { readonly operation: string; readonly partitionKey: string }[];
}

/**
 * The run's billable usage. Requests are the run's when they name its run or submission (object keys, list
 * prefixes, record keys). DynamoDB items are under 1 KB and read strongly consistent: one unit per call. KMS is
 * counted at most: one request per S3 object read or write, as without S3 Bucket Keys (the bucket uses them, so AWS
 * makes fewer); DynamoDB's table key is cached and adds none per run.
 */
export function runUsage(records: RunRecords): RunUsage {
  const ours = (text: string) => text.includes(records.runId) || text.includes(records.submissionId);
  const s3 = records.accesses.filter((a) => a.allowed && ours(a.prefix ?? a.key));
  const objectWrites = s3.filter((a) => a.action === 's3:PutObject').length;
  const lists = s3.filter((a) => a.action === 's3:ListBucket').length;
  const reads = s3.filter((a) => a.action === 's3:GetObject').length;
  const recordKeys = [runRecordKey(records.runId), submissionRecordKey(records.submissionId)];
  const dynamo = records.dynamoCalls.filter((c) => recordKeys.includes(c.partitionKey));
  const dynamoWrites = dynamo.filter((c) => DYNAMODB_WRITES.has(c.operation)).length;
  const express = records.express.filter((e) => e.name.startsWith(records.runId));
  return {
    standardTransitions: records.transitions.analysis + records.transitions.launch,
    expressExecutions: express.map((e) => ({ ms: e.ms })),
    lambdaInvocations: express.flatMap((e) => e.invocations),
    ...(records.task ? { fargateTask: records.task } : {}),
    s3: { writes: objectWrites + lists, reads },
    dynamodb: { writeUnits: dynamoWrites, readUnits: dynamo.length - dynamoWrites },
    kmsRequests: objectWrites + reads,
  };
}
