import { randomUUID } from 'node:crypto';
import { chmodSync, closeSync, constants, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as v from 'valibot';
import { HostileFileError, readHostileFile } from './hostile-file.js';

/** Bound on a record read back from the volume: two 4 KiB tails, even fully escaped as JSON, fit. */
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
 * Writes a record without following anything the submission may have left at its path, once nothing else can write
 * the volume. The submission shares the writer's uid, so it may have taken the write bit off the volume's root (an
 * old entry could then be neither removed nor replaced) or filled the volume: the root's write bit is restored, any
 * entry at the path (a forged record, a link, a FIFO, a directory however deep or locked) is moved aside, and the
 * file is created exclusively. A record that cannot be written whole is removed and reported as a RecordError.
 */
export function writeRecord(path: string, record: FetchRecord | RunRecord): void {
  const root = dirname(path);
  const rootMode = statSync(root).mode;
  if ((rootMode & 0o200) === 0) chmodSync(root, (rootMode & 0o7777) | 0o700);
  try {
    renameSync(path, `${path}.discarded-${randomUUID()}`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      throw new RecordError(`cannot move aside what is at ${basename(path)}: ${code ?? String(error)}`);
  }
  const bytes = Buffer.from(JSON.stringify(record));
  let fd: number | undefined;
  let problem: string | undefined;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    const written = writeSync(fd, bytes);
    if (written !== bytes.length) problem = `only ${written} of ${bytes.length} bytes written`;
  } catch (error) {
    problem = (error as NodeJS.ErrnoException).code ?? String(error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (problem === undefined) return;
  if (fd !== undefined) unlinkSync(path); // Never leave a partial record for deliver.
  throw new RecordError(
    `cannot write ${basename(path)}: ${problem} (the submission may have filled the scratch volume)`,
  );
}
