import * as v from 'valibot';

/**
 * The shape of `output.json` as the sandbox runner writes it. It arrives from untrusted territory: anything else
 * (extra keys, wrong types, oversized strings) is rejected, never repaired.
 */
const boundedString = (max: number) => v.pipe(v.string(), v.maxLength(max));
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const stream = v.strictObject({ tail: boundedString(16 * 1024), bytes: count });

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
  v.strictObject({ schemaVersion: v.literal(1), status: v.literal('REJECTED'), rejection: boundedString(2_000) }),
]);

export type RunnerOutput = v.InferOutput<typeof runnerOutputSchema>;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 32;

/** JSON.parse that refuses keys used for prototype pollution and nesting deeper than MAX_DEPTH. */
export function parseUntrustedJson(text: string): unknown {
  const value: unknown = JSON.parse(text, (key, v: unknown) => {
    if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError(`forbidden key "${key}"`);
    return v;
  });
  if (depth(value) > MAX_DEPTH) throw new SyntaxError(`nested deeper than ${MAX_DEPTH} levels`);
  return value;
}

function depth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((max, child) => Math.max(max, depth(child)), 0);
}
