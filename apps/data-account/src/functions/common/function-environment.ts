import * as v from 'valibot';

/** Environment every data-plane function gets from its stack; checked at cold start so a bad deploy fails loudly. */
export const functionEnvironment = v.object({
  BUCKET_NAME: v.pipe(v.string(), v.minLength(3)),
  TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  // Only the local rehearsal's S3-compatible server needs path-style addressing.
  AIRLOCK_S3_FORCE_PATH_STYLE: v.optional(v.picklist(['true', 'false']), 'false'),
});

const arn = v.pipe(v.string(), v.startsWith('arn:'));

export const prepareEnvironment = v.object({
  ...functionEnvironment.entries,
  SIGNER_ROLE_ARN: arn,
  BUCKET_ARN: arn,
  BUCKET_KEY_ARN: arn,
  // The URLs work only through an endpoint this account owns (the signer's session policy says so).
  SANDBOX_ACCOUNT: v.pipe(v.string(), v.regex(/^\d{12}$/)),
  RUN_TIMEOUT_SECONDS: v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1)),
  RUN_RECORD_RETENTION_DAYS: v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1)),
  // Time allowed for Fargate to start the task; only the local rehearsal, which starts it at once, lowers it.
  TASK_START_MARGIN_SECONDS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(0))),
});

export function readEnvironment<T extends v.GenericSchema>(
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
): v.InferOutput<T> {
  const parsed = v.safeParse(schema, env);
  if (!parsed.success) {
    throw new Error(
      `function environment is invalid: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? ''}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.output;
}
