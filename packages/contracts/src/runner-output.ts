import * as v from 'valibot';
import { SUBMISSION_LIMITS } from './submission-limits.js';

/**
 * `output.json`, the one object the runner delivers and finalize judges. The runner writes this type; finalize
 * parses with this schema, since the object arrives from untrusted territory: anything else (extra keys, wrong
 * types, oversized strings) is rejected, never repaired.
 */
const boundedString = (max: number) => v.pipe(v.string(), v.maxLength(max));
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
// A tail of N bytes decodes to at most N UTF-16 units, so a runner keeping `outputTailBytes` always fits.
const stream = v.strictObject({ tail: boundedString(SUBMISSION_LIMITS.outputTailBytes), bytes: count });

const execution = v.strictObject({
  exitCode: v.nullable(v.pipe(v.number(), v.integer())),
  signal: v.nullable(boundedString(32)),
  timedOut: v.boolean(),
  durationMs: v.pipe(v.number(), v.minValue(0)),
  stdout: stream,
  stderr: stream,
});

export const runnerOutputSchema = v.union([
  v.strictObject({
    schemaVersion: v.literal(1),
    status: v.picklist(['COMPLETED', 'TIMED_OUT']),
    execution,
    result: v.optional(v.unknown()),
    resultError: v.optional(boundedString(1_000)),
  }),
  // The archive or its manifest broke the rules; nothing of the submission ran.
  v.strictObject({ schemaVersion: v.literal(1), status: v.literal('REJECTED'), rejection: boundedString(2_000) }),
]);

export type RunnerOutput = v.InferOutput<typeof runnerOutputSchema>;
/** What the runner measured of the submission's process. */
export type RunnerExecution = v.InferOutput<typeof execution>;
