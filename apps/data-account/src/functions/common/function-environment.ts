import { z } from 'zod';

/** Environment every data-plane function gets from its stack; checked at cold start so a bad deploy fails loudly. */
export const functionEnvironment = z.object({
  BUCKET_NAME: z.string().min(3),
  TABLE_NAME: z.string().min(3),
  // Only the local rehearsal's S3-compatible server needs path-style addressing.
  AIRLOCK_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
});

export const prepareEnvironment = functionEnvironment.extend({
  SIGNER_ROLE_ARN: z.string().startsWith('arn:'),
  BUCKET_ARN: z.string().startsWith('arn:'),
  BUCKET_KEY_ARN: z.string().startsWith('arn:'),
  RUN_TIMEOUT_SECONDS: z.coerce.number().int().positive(),
});

export function readEnvironment<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`function environment is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
