import { z } from 'zod';

/**
 * The shape of `output.json` as the sandbox runner writes it. It arrives from untrusted territory: anything else
 * (extra keys, wrong types, oversized strings) is rejected, never repaired.
 */
const stream = z.strictObject({ tail: z.string().max(16 * 1024), bytes: z.number().int().nonnegative() });

const execution = z.strictObject({
  exitCode: z.number().int().nullable(),
  signal: z.string().max(32).nullable(),
  timedOut: z.boolean(),
  durationMs: z.number().nonnegative(),
  stdout: stream,
  stderr: stream,
});

export const runnerOutputSchema = z.union([
  z.strictObject({
    schemaVersion: z.literal(1),
    status: z.enum(['COMPLETED', 'TIMED_OUT']),
    execution,
    result: z.unknown().optional(),
    resultError: z.string().max(1_000).optional(),
  }),
  z.strictObject({ schemaVersion: z.literal(1), status: z.literal('REJECTED'), rejection: z.string().max(2_000) }),
]);

export type RunnerOutput = z.infer<typeof runnerOutputSchema>;

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
