import { RUNNER_LIMITS, type RunnerLimits } from '../limits.js';
import type { RunnerOutput } from '@airlock/contracts';
import { CONTAINER_EXIT } from '@airlock/contracts';
import { UploadError, uploadOutput } from '../upload.js';
import { HostileFileError, readHostileFile } from './hostile-file.js';
import { readRecord, RecordError, runRecordSchema } from './records.js';
import { readDataUrlPrefix, readOutputPost, readRunId, readScratchDir } from './role-config.js';
import type { RoleOutcome } from './role-outcome.js';
import { RESULT_PATH, RUN_RECORD } from './scratch-layout.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The `deliver` container: checks that OUTPUT_POST is this run's output object in the data bucket, reads run's
 * record and the submission's result from the read-only volume as hostile files, and uploads `output.json`.
 * It writes nothing and works outside the volume.
 */
export async function deliverRole(env: Env, limits: RunnerLimits = RUNNER_LIMITS): Promise<RoleOutcome> {
  const prefix = readDataUrlPrefix(env);
  const runId = readRunId(env);
  const post = readOutputPost(env, prefix, runId);
  const root = readScratchDir(env);

  let record;
  try {
    record = readRecord(root, RUN_RECORD, runRecordSchema);
  } catch (error) {
    if (error instanceof RecordError) return { exitCode: CONTAINER_EXIT.RECORD_UNUSABLE, message: error.message };
    throw error;
  }
  const output: RunnerOutput =
    record.status === 'REJECTED' ? record : { ...record, ...readResult(root, limits.maxResultBytes) };

  try {
    await uploadOutput(post, JSON.stringify(output), AbortSignal.timeout(limits.uploadReserveMs));
  } catch (error) {
    if (error instanceof UploadError) return { exitCode: CONTAINER_EXIT.UPLOAD_REJECTED, message: error.message };
    throw error;
  }
  return { exitCode: CONTAINER_EXIT.OK, message: `delivered output.json (${output.status})` };
}

/** The submission's own `result.json`, if it left a regular file of bounded size holding valid JSON. */
function readResult(root: string, maxBytes: number): { result?: unknown; resultError?: string } {
  let bytes: Buffer | undefined;
  try {
    bytes = readHostileFile(root, RESULT_PATH, maxBytes);
  } catch (error) {
    if (error instanceof HostileFileError) return { resultError: error.message };
    throw error;
  }
  if (!bytes) return {};
  let result: unknown;
  try {
    result = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { resultError: 'result.json is not valid JSON' };
  }
  // JSON.parse accepts any depth, but JSON.stringify (here, and Finalize's) overflows the stack on a deep one.
  if (nestingDepth(result) > MAX_RESULT_DEPTH) {
    return { resultError: `result.json nests deeper than ${MAX_RESULT_DEPTH} levels of arrays and objects` };
  }
  return { result };
}

/** Deeper results are refused: far more than any report needs, far less than a stack overflow. */
export const MAX_RESULT_DEPTH = 64;

/** Depth of the deepest array or object in a parsed JSON value, counted without recursion. */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_RESULT_DEPTH) return deepest;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}
