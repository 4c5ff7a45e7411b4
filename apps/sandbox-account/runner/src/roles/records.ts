import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs';
import * as v from 'valibot';
import { HostileFileError, readHostileFile } from './hostile-file.js';

/** Bound on a record read back from the volume: two 8 KiB tails, even fully escaped as JSON, fit. */
export const MAX_RECORD_BYTES = 128 * 1024;

const entrypoint = v.pipe(
  v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
  v.minLength(1),
  v.maxLength(32),
);
const rejected = v.strictObject({ schemaVersion: v.literal(1), status: v.literal('REJECTED'), rejection: v.string() });

/** fetch → run: what to execute, or why nothing may run. Written before any untrusted code ran. */
export const fetchRecordSchema = v.union([
  v.strictObject({ schemaVersion: v.literal(1), status: v.literal('READY'), entrypoint }),
  rejected,
]);
export type FetchRecord = v.InferOutput<typeof fetchRecordSchema>;

const stream = v.strictObject({ tail: v.string(), bytes: v.pipe(v.number(), v.integer(), v.minValue(0)) });

/** run → deliver: how the submission ended (output.json without the submission's result). */
export const runRecordSchema = v.union([
  v.strictObject({
    schemaVersion: v.literal(1),
    status: v.picklist(['COMPLETED', 'TIMED_OUT']),
    execution: v.strictObject({
      exitCode: v.nullable(v.pipe(v.number(), v.integer())),
      signal: v.nullable(v.string()),
      timedOut: v.boolean(),
      durationMs: v.pipe(v.number(), v.minValue(0)),
      stdout: stream,
      stderr: stream,
    }),
  }),
  rejected,
]);
export type RunRecord = v.InferOutput<typeof runRecordSchema>;

export class RecordError extends Error {}

/**
 * Reads a record through the hostile-file checks and its schema. Run and deliver read them as untrusted: the
 * submission can write the whole volume while it runs.
 */
export function readRecord<S extends v.GenericSchema>(root: string, name: string, schema: S): v.InferOutput<S> {
  let bytes: Buffer | undefined;
  try {
    bytes = readHostileFile(root, [name], MAX_RECORD_BYTES);
  } catch (error) {
    if (error instanceof HostileFileError) throw new RecordError(error.message);
    throw error;
  }
  if (!bytes) throw new RecordError(`${name} is missing`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RecordError(`${name} is not valid JSON`);
  }
  const parsed = v.safeParse(schema, json);
  if (!parsed.success) throw new RecordError(`${name} has the wrong shape: ${parsed.issues[0].message}`);
  return parsed.output;
}

/**
 * Writes a record without following anything the submission may have left at its path: remove whatever is there
 * (a link, a directory, a FIFO), then create the file exclusively. Call only once nothing else can write the volume.
 */
export function writeRecord(path: string, record: FetchRecord | RunRecord): void {
  rmSync(path, { recursive: true, force: true });
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    writeSync(fd, JSON.stringify(record));
  } finally {
    closeSync(fd);
  }
}
