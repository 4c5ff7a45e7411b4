import { dynamodb, logger, s3Client } from '../common/clients.js';
import { functionEnvironment, readEnvironment } from '../common/function-environment.js';
import { RunRecords } from '../common/run-records.js';
import { finalize } from './finalize-core.js';

const env = readEnvironment(functionEnvironment);
const s3 = s3Client(env.AIRLOCK_S3_FORCE_PATH_STYLE === 'true');
const records = new RunRecords(dynamodb, env.TABLE_NAME);

export const handler = async (event: unknown) => {
  logger.info('finalize', { runId: (event as { runId?: unknown })?.runId });
  try {
    return await finalize(event, { s3, records, bucket: env.BUCKET_NAME, now: () => new Date() });
  } catch (error) {
    logger.error('finalize failed', { error: (error as Error).name, reason: (error as Error).message });
    throw error;
  }
};
