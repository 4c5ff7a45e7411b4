import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  AIRLOCK_ERRORS,
  DATA_PLANE_ACTION,
  isValidId,
  ID_RULE,
  lastUtf8Bytes,
  resultReportKey,
  runnerOutputSchema,
  runOutputKey,
  CONTAINER,
  CONTAINER_EXIT,
  LAUNCH_OUTCOME,
  type RunnerExecution,
  type RunRecord,
} from '@airlock/contracts';
import * as v from 'valibot';
import { badRequest, DataPlaneError } from '../common/data-plane-error.js';
import { DATA_PLANE_LIMITS } from '../common/limits.js';
import { objectSize } from '../common/object-size.js';
import type { RunRecords } from '../common/run-records.js';
import { parseUntrustedJson } from './untrusted-json.js';

export const finalizeInput = v.strictObject({
  action: v.optional(v.literal(DATA_PLANE_ACTION.finalize)),
  runId: v.pipe(
    v.string(),
    v.check((id: string) => isValidId(id), `runId must be ${ID_RULE}`),
  ),
  /** What the orchestrator learnt of the task: ECS's `Containers`/`StoppedReason`, or a caught `Error`/`Cause`. */
  task: v.optional(v.unknown()),
});

export interface FinalizeDeps {
  readonly s3: S3Client;
  readonly records: RunRecords;
  readonly bucket: string;
  readonly now: () => Date;
  readonly maxOutputBytes?: number;
}

export interface FinalizeResult {
  readonly runId: string;
  readonly status: 'SUCCEEDED';
  readonly resultKey: string;
}

/** What a report says about the run it belongs to; finalize adopts an existing report only if all of it matches. */
export interface ReportIdentity {
  readonly runId: string;
  readonly submissionId: string;
  readonly inputSha256: string;
  /** The run record's random attempt ID: a report of an older run under a reused run ID never matches. */
  readonly attempt: string;
}

/**
 * Trusted step 3: close the run (from now on anything written under its prefix is deleted on arrival), judge it
 * from the task's outcome and the output the runner delivered, write the trusted report (once) and record the
 * outcome. A failed run throws `Airlock.RunFailed` after recording why.
 */
export async function finalize(raw: unknown, deps: FinalizeDeps): Promise<FinalizeResult> {
  const parsed = v.safeParse(finalizeInput, raw);
  if (!parsed.success) throw badRequest(`finalize: ${parsed.issues.map((i) => i.message).join('; ')}`);
  const { runId, task } = parsed.output;
  const record = await deps.records.getRun(runId);
  if (!record) throw badRequest(`finalize: run ${runId} does not exist`);
  const resultKey = resultReportKey(runId);
  // A retried finalize repeats the outcome already recorded.
  if (record.status === 'SUCCEEDED') return { runId, status: 'SUCCEEDED', resultKey };
  if (record.status === 'FAILED') throw runFailed(record.reason ?? 'run failed');
  // Closed before the output is read, so no output can arrive after the one judged (FINALIZING: a retry).
  if (!(await deps.records.transition(runId, ['PREPARED', 'FINALIZING'], 'FINALIZING')))
    throw new DataPlaneError(AIRLOCK_ERRORS.RunConflict, `finalize: run ${runId} is ${record.status}`);
  const fail = async (reason: string, tails: OutputTails = {}) => {
    await deps.records.transition(runId, ['FINALIZING'], 'FAILED', { reason, ...tails });
    return runFailed(reason);
  };

  const verdict = await judge(runId, task, deps);
  if ('reason' in verdict) throw await fail(verdict.reason, verdict.tails);

  const identity = reportIdentity(record);
  const report = {
    schemaVersion: 1,
    ...identity,
    completedAt: deps.now().toISOString(),
    durationMs: verdict.durationMs,
    ...verdict.tails,
    result: verdict.result,
  };
  try {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.bucket,
        Key: resultKey,
        Body: JSON.stringify(report),
        ContentType: 'application/json',
        IfNoneMatch: '*',
      }),
    );
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 412) throw error;
    // A report is already there: this run's own (a retry after a write whose answer was lost), or not ours.
    const foreign = await foreignReport(deps, resultKey, identity);
    if (foreign) {
      // Never left to be served as this run's result.
      await deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key: resultKey }));
      throw await fail(`a report of another run was already at ${resultKey} (${foreign}); it was removed, not adopted`);
    }
  }
  await deps.records.transition(runId, ['FINALIZING'], 'SUCCEEDED', { resultKey, ...verdict.tails });
  return { runId, status: 'SUCCEEDED', resultKey };
}

function reportIdentity(record: RunRecord): ReportIdentity {
  return {
    runId: record.runId,
    submissionId: record.submissionId,
    inputSha256: record.inputSha256 ?? '',
    attempt: record.attempt ?? '',
  };
}

/** Why the report at `key` is not this run's, or undefined if it is (every identifying field matches). */
async function foreignReport(deps: FinalizeDeps, key: string, expected: ReportIdentity): Promise<string | undefined> {
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
  let found: Record<string, unknown>;
  try {
    const parsed = parseUntrustedJson((await object.Body?.transformToString('utf8')) ?? '');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'it is not a JSON object';
    found = parsed as Record<string, unknown>;
  } catch (error) {
    return `it is not acceptable JSON: ${(error as Error).message}`;
  }
  const mismatched = (Object.keys(expected) as Array<keyof ReportIdentity>).filter(
    (field) => expected[field] === '' || found[field] !== expected[field],
  );
  if (mismatched.length === 0) return undefined;
  return `its ${mismatched.join(', ')} ${mismatched.length > 1 ? 'differ' : 'differs'} from this run's`;
}

/** The end of the submission's stdout and stderr, as the run record and the report keep them. */
type OutputTails = Pick<RunRecord, 'stdoutTail' | 'stderrTail'>;

type Verdict =
  { reason: string; tails?: OutputTails } | { durationMs: number; result: Record<string, unknown>; tails: OutputTails };

/** Why a submission that ran did not end with exit code 0; its stderr tail says the rest. */
function howItEnded({ exitCode, signal }: RunnerExecution): string {
  if (exitCode !== null) return `submission exited with code ${exitCode}`;
  if (signal !== null) return `submission was killed by ${signal}`;
  return 'submission could not be started (its entrypoint is not a program in the image)';
}

/**
 * The submission's own last words, so its author sees why it failed. Untrusted text: bounded here again (whatever
 * the schema admitted) before it reaches DynamoDB and the report, and filtered only where it is displayed.
 */
const outputTails = (execution: RunnerExecution): OutputTails => ({
  stdoutTail: lastUtf8Bytes(execution.stdout.tail),
  stderrTail: lastUtf8Bytes(execution.stderr.tail),
});

async function judge(runId: string, task: unknown, deps: FinalizeDeps): Promise<Verdict> {
  const taskProblem = describeTaskProblem(task);
  if (taskProblem) return { reason: taskProblem };
  const maxBytes = deps.maxOutputBytes ?? DATA_PLANE_LIMITS.maxOutputBytes;
  const key = runOutputKey(runId);
  const size = await objectSize(deps.s3, deps.bucket, key);
  if (size === undefined) return { reason: 'the runner delivered no output' };
  if (size > maxBytes) return { reason: `output is ${size} bytes, over the limit of ${maxBytes}` };
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
  const text = (await object.Body?.transformToString('utf8')) ?? '';
  if (Buffer.byteLength(text) > maxBytes) return { reason: `output exceeds ${maxBytes} bytes` };

  let json: unknown;
  try {
    json = parseUntrustedJson(text);
  } catch (error) {
    return { reason: `output is not acceptable JSON: ${(error as Error).message}` };
  }
  const output = v.safeParse(runnerOutputSchema, json);
  if (!output.success)
    return {
      reason: `output has the wrong shape: ${output.issues
        .slice(0, 3)
        .map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`)
        .join('; ')}`,
    };
  const o = output.output;
  if (o.status === 'REJECTED') return { reason: `submission rejected in the sandbox: ${o.rejection}` };
  const tails = outputTails(o.execution);
  if (o.status === 'TIMED_OUT')
    return {
      reason: `submission hit the deadline after ${Math.round(o.execution.durationMs / 1000)} s and was killed`,
      tails,
    };
  if (o.execution.exitCode !== 0) return { reason: howItEnded(o.execution), tails };
  if (o.resultError) return { reason: `submission result refused: ${o.resultError}`, tails };
  if (typeof o.result !== 'object' || o.result === null || Array.isArray(o.result))
    return { reason: 'submission wrote no result.json object', tails };
  return { durationMs: o.execution.durationMs, result: o.result as Record<string, unknown>, tails };
}

/**
 * The reason the task itself failed, if it did: a caught hop error, a launch that did not run the task to its end,
 * or a `deliver` container that did not exit 0. Containers are found by name (their order means nothing), and
 * nothing here is assumed well-formed.
 */
function describeTaskProblem(task: unknown): string | undefined {
  if (typeof task !== 'object' || task === null) return 'no task outcome was reported';
  const t = task as {
    Error?: unknown;
    outcome?: unknown;
    error?: unknown;
    containers?: unknown;
    stoppedReason?: unknown;
  };
  if (typeof t.Error === 'string') return `the sandbox launch failed: ${t.Error}`;
  if (t.outcome === LAUNCH_OUTCOME.REQUEST_REJECTED) return 'the sandbox refused the launch request';
  if (t.outcome === LAUNCH_OUTCOME.LAUNCH_FAILED)
    return `the sandbox task did not finish and was stopped: ${String(t.error ?? 'unknown error')}`;
  if (t.outcome !== LAUNCH_OUTCOME.TASK_STOPPED) return 'the launch result is malformed';
  const containers = Array.isArray(t.containers) ? (t.containers as unknown[]) : [];
  const named = (name: string) =>
    containers.filter(
      (c): c is { Name: string; ExitCode?: unknown } =>
        typeof c === 'object' && c !== null && (c as { Name?: unknown }).Name === name,
    );
  // `run`'s code is only a claim (the submission shares its uid), so it can fail a run, never make one succeed.
  const [run, ...moreRuns] = named(CONTAINER.RUN);
  if (!run || moreRuns.length > 0 || run.ExitCode !== CONTAINER_EXIT.OK)
    return `the ${CONTAINER.RUN} container did not end cleanly (exit code ${String(run?.ExitCode ?? 'none')})`;
  const delivers = named(CONTAINER.DELIVER);
  const [deliver] = delivers;
  if (!deliver || delivers.length !== 1)
    return `the launch result has ${delivers.length} ${CONTAINER.DELIVER} containers, not 1`;
  const exitCode = deliver.ExitCode;
  if (exitCode === undefined) return `the runner never delivered: ${String(t.stoppedReason ?? 'no exit code')}`;
  if (exitCode !== CONTAINER_EXIT.OK) return `the runner could not deliver an output (exit code ${String(exitCode)})`;
  return undefined;
}

const runFailed = (reason: string) => new DataPlaneError(AIRLOCK_ERRORS.RunFailed, reason);
