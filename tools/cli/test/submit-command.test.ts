import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { CliError } from '@airlock/operator';
import { submitCommand } from '../src/submit-command.js';
import { archiveFile, cliFixture, env } from './cli-fixture.js';

const SM = 'arn:aws:states:eu-west-1:111111111111:stateMachine:airlock-example-analysis';
const exited = (name: string, second: number): HistoryEvent => ({
  id: second,
  type: 'TaskStateExited',
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, second)),
  stateExitedEventDetails: { name },
});

describe('airlock submit', () => {
  it('refuses credentials of another account before touching anything', async () => {
    const { deps, mocks } = cliFixture();
    mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999' });
    await expect(submitCommand(env, { archive: archiveFile(), follow: true }, deps)).rejects.toThrow(
      new CliError(
        'your credentials are for account 999999999999, but the orchestrator account of environment "example" is account 111111111111. Fix: use a profile of account 111111111111 (AWS_PROFILE=...)',
      ),
    );
    expect(mocks.sfn.calls()).toHaveLength(0);
    expect(mocks.s3.calls()).toHaveLength(0);
  });

  it('refuses upload credentials that are not the data account', async () => {
    const { deps, mocks } = cliFixture();
    mocks.dataSts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111' });
    await expect(submitCommand(env, { archive: archiveFile(), follow: true }, deps)).rejects.toThrow(
      /data account of environment "example" \(--data-profile\) is account 333333333333/,
    );
    expect(mocks.s3.calls()).toHaveLength(0);
  });

  it('uploads, starts the run named by its run ID with identifiers only, follows it and exits 0', async () => {
    const { deps, mocks, lines } = cliFixture();
    mocks.sfn.on(StartExecutionCommand).resolves({ executionArn: `${SM}:run-1`.replace('stateMachine', 'execution') });
    mocks.sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: [exited('Start', 0), exited('Prepare', 2)] })
      .resolves({ events: [exited('Start', 0), exited('Prepare', 2), exited('RunUntrusted', 40)] });
    mocks.sfn.on(DescribeExecutionCommand).resolvesOnce({ status: 'RUNNING' }).resolves({
      status: 'SUCCEEDED',
      output: '{"runId":"run-1","status":"SUCCEEDED","resultKey":"results/run-1/report.json"}',
    });

    const code = await submitCommand(
      env,
      { archive: archiveFile(), submissionId: 'sub-1', runId: 'run-1', follow: true },
      deps,
    );

    expect(code).toBe(0);
    expect(mocks.s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: 'airlock-example-data-333333333333-eu-west-1',
      Key: 'uploads/sub-1.tar.gz',
      // Never replaces an archive: S3 answers 412 if the key exists.
      IfNoneMatch: '*',
    });
    // The record is written first: it decides who owns the submission ID.
    const [record] = mocks.dynamodb.commandCalls(PutItemCommand);
    const [object] = mocks.s3.commandCalls(PutObjectCommand);
    expect(record!.calledBefore(object!)).toBe(true);
    expect(mocks.dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'airlock-example-runs',
      Item: {
        pk: { S: 'submission#sub-1' },
        status: { S: 'UPLOADED' },
        submitter: { S: 'arn:aws:sts::111111111111:assumed-role/operator/alice' },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(mocks.sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: SM,
      name: 'run-1',
      input: '{"submissionId":"sub-1"}',
    });
    expect(lines.filter((l) => l.includes('✓')).map((l) => l.trim().split(/\s+/)[1])).toEqual([
      'Start',
      'Prepare',
      'RunUntrusted',
    ]);
    expect(lines.at(-1)).toMatch(/^run run-1 SUCCEEDED: .*results\/run-1\/report\.json/);
  });

  it('exits 1 and says why when the run fails', async () => {
    const { deps, mocks, lines } = cliFixture();
    mocks.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    mocks.sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    mocks.sfn.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      error: 'Airlock.RunFailed',
      cause: 'The submission did not produce a valid result',
    });
    expect(await submitCommand(env, { submissionId: 'sub-1', runId: 'run-2', follow: true }, deps)).toBe(1);
    expect(lines.at(-1)).toBe('run run-2 FAILED: Airlock.RunFailed The submission did not produce a valid result');
    expect(mocks.s3.calls()).toHaveLength(0);
  });

  it('keeps following through throttled polls', async () => {
    const { deps, mocks } = cliFixture();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    mocks.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    mocks.sfn.on(GetExecutionHistoryCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ events: [] });
    mocks.sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    const waits: number[] = [];
    const code = await submitCommand(
      env,
      { submissionId: 'sub-1', runId: 'run-3', follow: true },
      { ...deps, pollIntervalMs: 100, sleep: async (ms) => void waits.push(ms) },
    );
    expect(code).toBe(0);
    expect(mocks.sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(3);
    expect(waits).toEqual([200, 400]);
  });

  it('says clearly that a run ID was already used', async () => {
    const { deps, mocks } = cliFixture();
    mocks.sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    await expect(submitCommand(env, { submissionId: 'sub-1', runId: 'run-1', follow: true }, deps)).rejects.toThrow(
      'run ID run-1 was already used: a run ID names exactly one run. Fix: omit --run-id or choose a new one',
    );
  });

  it('refuses to overwrite an archive already stored under the submission ID, and starts nothing', async () => {
    const { deps, mocks } = cliFixture();
    mocks.s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'At least one of the pre-conditions you specified did not hold',
      }),
    );
    await expect(
      submitCommand(env, { archive: archiveFile(), submissionId: 'sub-9', follow: true }, deps),
    ).rejects.toThrow(
      'submission sub-9 already exists; it is never overwritten. Fix: choose another --submission-id (an archive is ' +
        'already stored under it; the record just written will not run, since prepare checks the archive against ' +
        'its digest)',
    );
    expect(mocks.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('refuses a reused submission ID and an invalid run ID', async () => {
    const { deps, mocks } = cliFixture();
    mocks.dynamodb
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'conditional', $metadata: {} }));
    await expect(
      submitCommand(env, { archive: archiveFile(), submissionId: 'sub-1', follow: true }, deps),
    ).rejects.toThrow('submission sub-1 already exists; it is never overwritten. Fix: choose another --submission-id');
    expect(mocks.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(mocks.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    await expect(submitCommand(env, { submissionId: 'sub-1', runId: '../x', follow: true }, deps)).rejects.toThrow(
      /--run-id "\.\.\/x" is not valid/,
    );
  });
});
