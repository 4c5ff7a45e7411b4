import { dynamodb, logger, s3Client, sts } from '../common/clients.js';
import { prepareEnvironment, readEnvironment } from '../common/function-environment.js';
import { DATA_PLANE_LIMITS } from '../common/limits.js';
import { mintRunGrant } from '../common/run-grant.js';
import { RunRecords } from '../common/run-records.js';
import { assumeSigner } from '../common/url-signer.js';
import { prepare } from './prepare-core.js';

const env = readEnvironment(prepareEnvironment);
const forcePathStyle = env.AIRLOCK_S3_FORCE_PATH_STYLE === 'true';
const s3 = s3Client(forcePathStyle);
const records = new RunRecords(dynamodb, env.TABLE_NAME);

export const handler = async (event: unknown) => {
  // Identifiers only: the grant returned below holds presigned URLs and is never logged.
  logger.info('prepare', { runId: (event as { runId?: unknown })?.runId });
  try {
    return await prepare(event, {
      s3,
      records,
      bucket: env.BUCKET_NAME,
      runTimeoutSeconds: env.RUN_TIMEOUT_SECONDS,
      runRetentionDays: env.RUN_RECORD_RETENTION_DAYS,
      now: Date.now,
      ...(env.TASK_START_MARGIN_SECONDS === undefined
        ? {}
        : { limits: { ...DATA_PLANE_LIMITS, taskStartMarginMs: env.TASK_START_MARGIN_SECONDS * 1000 } }),
      mintGrant: async (runId, expiresInSeconds, deadline) => {
        const credentials = await assumeSigner(sts, {
          roleArn: env.SIGNER_ROLE_ARN,
          bucketArn: env.BUCKET_ARN,
          keyArn: env.BUCKET_KEY_ARN,
          sandboxAccount: env.SANDBOX_ACCOUNT,
          runId,
          lifetimeSeconds: expiresInSeconds,
        });
        return mintRunGrant(s3Client(forcePathStyle, credentials), {
          bucket: env.BUCKET_NAME,
          runId,
          expiresInSeconds,
          maxOutputBytes: DATA_PLANE_LIMITS.maxOutputBytes,
          deadline,
        });
      },
    });
  } catch (error) {
    logger.error('prepare failed', { error: (error as Error).name, reason: (error as Error).message });
    throw error;
  }
};
