import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runRecordKey, SUBMISSION_LIMITS } from '@airlock/contracts';
import { finalize } from '../../src/functions/finalize/finalize-core.js';
import { startLocalStores, type LocalStores } from './local-stores.js';

let stores: LocalStores;
beforeAll(async () => {
  stores = await startLocalStores();
});
afterAll(() => stores.stop());

/** A task that ran to its end; `deliver` listed first: finalize must find containers by name, not position. */
const exited = (deliverExitCode: number, runExitCode = 0) => ({
  outcome: 'TASK_STOPPED',
  containers: [
    { Name: 'deliver', ExitCode: deliverExitCode },
    { Name: 'fetch', ExitCode: 0 },
    { Name: 'run', ExitCode: runExitCode },
  ],
  stoppedReason: 'Essential container in task exited',
});
const execution = (exitCode: number | null, extra: object = {}) => ({
  exitCode,
  signal: null,
  timedOut: false,
  durationMs: 1234,
  stdout: { tail: 'ok', bytes: 2 },
  stderr: { tail: '', bytes: 0 },
  ...extra,
});
const completed = (result: unknown, exitCode = 0) =>
  JSON.stringify({ schemaVersion: 1, status: 'COMPLETED', execution: execution(exitCode), result });

let seq = 0;
const INPUT_SHA256 = 'cd'.repeat(32);
async function preparedRun(output?: string | Buffer): Promise<string> {
  const runId = `run-${++seq}`;
  await stores.records.startRun(runId, 'sub-1', 90);
  await stores.records.transition(runId, ['PREPARING'], 'PREPARED', { inputSha256: INPUT_SHA256 });
  if (output !== undefined) await stores.put(`runs/${runId}/output.json`, output);
  return runId;
}

const deps = () => ({
  s3: stores.s3,
  records: stores.records,
  bucket: stores.bucket,
  now: () => new Date('2026-11-23T12:00:00Z'),
  maxOutputBytes: 4096,
});

async function failure(runId: string, task: unknown = exited(0)): Promise<string> {
  const error = await finalize({ action: 'finalize', runId, task }, deps()).then(
    () => undefined,
    (e: Error) => e,
  );
  if (!error) throw new Error('expected finalize to fail');
  expect(error.name).toBe('Airlock.RunFailed');
  expect(await stores.keys(`results/${runId}/`)).toEqual([]);
  const record = await stores.records.getRun(runId);
  expect(record).toMatchObject({ status: 'FAILED', reason: error.message });
  return error.message;
}

describe('finalize', () => {
  it('writes the trusted report once and marks the run SUCCEEDED', async () => {
    const runId = await preparedRun(completed({ languages: { JavaScript: { files: 1, lines: 3 } } }));
    expect(await finalize({ action: 'finalize', runId, task: exited(0) }, deps())).toEqual({
      runId,
      status: 'SUCCEEDED',
      resultKey: `results/${runId}/report.json`,
    });
    const report = await stores.s3.send(
      new GetObjectCommand({ Bucket: stores.bucket, Key: `results/${runId}/report.json` }),
    );
    expect(JSON.parse((await report.Body?.transformToString()) ?? '')).toEqual({
      schemaVersion: 1,
      runId,
      submissionId: 'sub-1',
      inputSha256: INPUT_SHA256,
      attempt: (await stores.records.getRun(runId))!.attempt,
      completedAt: '2026-11-23T12:00:00.000Z',
      durationMs: 1234,
      stdoutTail: 'ok',
      stderrTail: '',
      result: { languages: { JavaScript: { files: 1, lines: 3 } } },
    });
    expect(await stores.records.getRun(runId)).toMatchObject({
      status: 'SUCCEEDED',
      resultKey: `results/${runId}/report.json`,
    });
  });

  it("keeps the end of a failed submission's stdout and stderr in the run record, bounded in bytes", async () => {
    const { outputTailBytes } = SUBMISSION_LIMITS;
    // Schema-valid (at most outputTailBytes UTF-16 units) but three bytes a character in UTF-8.
    const wide = '€'.repeat(outputTailBytes);
    const output = JSON.stringify({
      schemaVersion: 1,
      status: 'COMPLETED',
      execution: execution(1, {
        stdout: { tail: wide, bytes: wide.length * 3 },
        stderr: { tail: 'Error: Cannot find module /work/mian.mjs\n', bytes: 41 },
      }),
    });
    const runId = await preparedRun(output);
    const reason = await finalize({ runId, task: exited(0) }, { ...deps(), maxOutputBytes: 64 * 1024 }).catch(
      (e: Error) => e.message,
    );
    expect(reason).toBe('submission exited with code 1');
    const { Item } = await stores.dynamodb.send(
      new GetItemCommand({ TableName: stores.table, Key: { pk: { S: runRecordKey(runId) } } }),
    );
    expect(Item?.stderrTail?.S).toBe('Error: Cannot find module /work/mian.mjs\n');
    const stdoutTail = Item?.stdoutTail?.S ?? '';
    expect(Buffer.byteLength(stdoutTail)).toBeLessThanOrEqual(outputTailBytes);
    expect(stdoutTail).toBe('€'.repeat(Math.floor(outputTailBytes / 3)));
  });

  it('says a submission that could not start could not start, not "exited with code unknown"', async () => {
    const output = JSON.stringify({ schemaVersion: 1, status: 'COMPLETED', execution: execution(null) });
    expect(await failure(await preparedRun(output))).toMatch(/^submission could not be started/);
  });

  it('repeats the recorded outcome when retried, success or failure', async () => {
    const ok = await preparedRun(completed({ a: 1 }));
    const first = await finalize({ runId: ok, task: exited(0) }, deps());
    await stores.put(`runs/${ok}/output.json`, completed({ a: 2 }));
    expect(await finalize({ runId: ok, task: exited(0) }, deps())).toEqual(first);
    const report = await stores.s3.send(
      new GetObjectCommand({ Bucket: stores.bucket, Key: `results/${ok}/report.json` }),
    );
    expect(JSON.parse((await report.Body?.transformToString()) ?? '').result).toEqual({ a: 1 });

    const bad = await preparedRun('not json');
    const reason = await failure(bad);
    await expect(finalize({ runId: bad, task: exited(0) }, deps())).rejects.toThrow(reason);
  });

  it('closes the run before it reads the output, so nothing written later is judged or kept', async () => {
    const runId = await preparedRun(completed({ a: 1 }));
    const statusWhenRead: string[] = [];
    const s3 = stores.s3;
    const watching = {
      ...deps(),
      s3: {
        send: async (command: { input: { Key?: string; Prefix?: string } }) => {
          if (command instanceof ListObjectsV2Command || command instanceof GetObjectCommand)
            statusWhenRead.push((await stores.records.getRun(runId))!.status);
          return s3.send(command as never);
        },
      } as unknown as typeof s3,
    };
    await finalize({ runId, task: exited(0) }, watching);
    expect(statusWhenRead.length).toBeGreaterThan(0);
    expect(new Set(statusWhenRead)).toEqual(new Set(['FINALIZING']));
  });

  it("on a 412 accepts the report already at the key when it is this run's own (a retried write)", async () => {
    const runId = await preparedRun(completed({ a: 1 }));
    const record = (await stores.records.getRun(runId))!;
    const own = { schemaVersion: 1, runId, submissionId: 'sub-1', inputSha256: INPUT_SHA256, attempt: record.attempt };
    await stores.put(`results/${runId}/report.json`, JSON.stringify({ ...own, result: { a: 1 } }));
    expect(await finalize({ runId, task: exited(0) }, deps())).toMatchObject({ status: 'SUCCEEDED' });
    expect(await stores.records.getRun(runId)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it.each<[string, (runId: string, attempt: string) => object, string]>([
    [
      'another run',
      (_runId, attempt) => ({ runId: 'run-other', submissionId: 'sub-1', inputSha256: INPUT_SHA256, attempt }),
      'runId differs',
    ],
    [
      'an older run under the same run ID',
      (runId) => ({ runId, submissionId: 'sub-1', inputSha256: INPUT_SHA256, attempt: 'an-older-attempt' }),
      'attempt differs',
    ],
    [
      'another submission and input',
      (runId, attempt) => ({ runId, submissionId: 'sub-9', inputSha256: 'ef'.repeat(32), attempt }),
      'submissionId, inputSha256 differ',
    ],
  ])(
    'on a 412 refuses a report of %s: the run fails with the reason and the report is removed',
    async (_n, forge, why) => {
      const runId = await preparedRun(completed({ a: 1 }));
      const attempt = (await stores.records.getRun(runId))!.attempt!;
      await stores.put(
        `results/${runId}/report.json`,
        JSON.stringify({ ...forge(runId, attempt), result: { forged: 1 } }),
      );
      expect(await failure(runId)).toBe(
        `a report of another run was already at results/${runId}/report.json (its ${why} from this run's); ` +
          'it was removed, not adopted',
      );
    },
  );

  it.each<[string, string | Buffer, RegExp]>([
    ['oversized', Buffer.alloc(5000, 'x'), /output is 5000 bytes, over the limit of 4096/],
    ['invalid JSON', '{"schemaVersion":1,', /output is not acceptable JSON/],
    [
      'a __proto__ key',
      '{"schemaVersion":1,"status":"COMPLETED","__proto__":{"polluted":true}}',
      /forbidden key "__proto__"/,
    ],
    [
      'a constructor key in the result',
      completed({ constructor: { prototype: { x: 1 } } }),
      /forbidden key "(constructor|prototype)"/,
    ],
    [
      'the wrong shape',
      JSON.stringify({ schemaVersion: 1, status: 'COMPLETED', execution: execution(0), extra: 'x' }),
      /output has the wrong shape/,
    ],
    ['deep nesting', completed(JSON.parse('['.repeat(40) + ']'.repeat(40))), /nested deeper than 32 levels/],
    ['a non-zero exit of the submission', completed({ a: 1 }, 2), /submission exited with code 2/],
    [
      'a timeout',
      JSON.stringify({
        schemaVersion: 1,
        status: 'TIMED_OUT',
        execution: execution(null, { timedOut: true, signal: 'SIGKILL' }),
      }),
      /hit the deadline/,
    ],
    [
      'a sandbox rejection',
      JSON.stringify({ schemaVersion: 1, status: 'REJECTED', rejection: 'archive rejected: "l" is a SymbolicLink' }),
      /rejected in the sandbox: archive rejected/,
    ],
    ['no result', completed(undefined), /no result\.json object/],
    ['a result that is not an object', completed([1, 2]), /no result\.json object/],
  ])('fails a run whose output has %s, recording why, with nothing under results/', async (_name, output, reason) => {
    expect(await failure(await preparedRun(output))).toMatch(reason);
  });

  it('fails a run whose runner delivered nothing, could not deliver, or whose task failed', async () => {
    expect(await failure(await preparedRun())).toBe('the runner delivered no output');
    expect(await failure(await preparedRun(completed({ a: 1 })), exited(4))).toBe(
      'the runner could not deliver an output (exit code 4)',
    );
    expect(await failure(await preparedRun(completed({ a: 1 })), exited(0, 10))).toBe(
      'the run container did not end cleanly (exit code 10)',
    );
    expect(
      await failure(await preparedRun(completed({ a: 1 })), { Error: 'States.Timeout', Cause: 'task timed out' }),
    ).toBe('the sandbox launch failed: States.Timeout');
    expect(
      await failure(await preparedRun(completed({ a: 1 })), {
        outcome: 'LAUNCH_FAILED',
        containers: [],
        error: 'States.Timeout',
      }),
    ).toBe('the sandbox task did not finish and was stopped: States.Timeout');
    expect(await failure(await preparedRun(completed({ a: 1 })), { outcome: 'REQUEST_REJECTED', containers: [] })).toBe(
      'the sandbox refused the launch request',
    );
    // fetch failed: run and deliver never started, so they have no exit code.
    expect(
      await failure(await preparedRun(), {
        outcome: 'TASK_STOPPED',
        containers: [{ Name: 'fetch', ExitCode: 3 }, { Name: 'run' }, { Name: 'deliver' }],
        stoppedReason: 'Essential container in task exited',
      }),
    ).toBe('the run container did not end cleanly (exit code none)');
  });

  it('judges the task by container name, never by position or by what output.json claims', async () => {
    // A first container that exited 0 does not stand in for a deliver that did not.
    const deliverFailed = {
      outcome: 'TASK_STOPPED',
      containers: [
        { Name: 'fetch', ExitCode: 0 },
        { Name: 'run', ExitCode: 0 },
        { Name: 'deliver', ExitCode: 4 },
      ],
      stoppedReason: 'Essential container in task exited',
    };
    expect(await failure(await preparedRun(completed({ a: 1 })), deliverFailed)).toBe(
      'the runner could not deliver an output (exit code 4)',
    );
    const noDeliver = {
      ...deliverFailed,
      containers: [
        { Name: 'runner', ExitCode: 0 },
        { Name: 'run', ExitCode: 0 },
      ],
    };
    expect(await failure(await preparedRun(completed({ a: 1 })), noDeliver)).toBe(
      'the launch result has 0 deliver containers, not 1',
    );
  });

  it('fails bad input with a named error', async () => {
    await expect(finalize({ runId: 'nope', task: exited(0) }, deps())).rejects.toMatchObject({
      name: 'Airlock.BadRequest',
    });
    await expect(finalize({ runId: 'a/b' }, deps())).rejects.toMatchObject({ name: 'Airlock.BadRequest' });
  });
});
