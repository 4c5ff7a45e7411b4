import { logger, s3Client } from '../common/clients.js';
import * as v from 'valibot';
import { functionEnvironment, readEnvironment } from '../common/function-environment.js';
import { purge } from './purge-core.js';

const env = readEnvironment(v.omit(functionEnvironment, ['TABLE_NAME']));
const s3 = s3Client(env.AIRLOCK_S3_FORCE_PATH_STYLE === 'true');

export const handler = async (event: unknown) => {
  const result = await purge(event, { s3, bucket: env.BUCKET_NAME });
  logger.info('purged', result);
  return result;
};
