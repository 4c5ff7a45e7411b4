import type { RequestOptions } from 'node:http';
import { upstreamRequest } from '../upstream-request.js';

/**
 * S3 refuses a PUT with `If-None-Match: *` when the key exists (412); s3rver ignores the header. The front asks
 * s3rver first (HEAD), which is exact here: the rehearsal's writes to one key never race.
 */
export function objectExists(
  upstream: Pick<RequestOptions, 'hostname' | 'port' | 'socketPath'>,
  bucket: string,
  key: string,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    upstreamRequest(
      { ...upstream, method: 'HEAD', path: `/${bucket}/${encodeKey(key)}` },
      undefined,
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
      reject,
    );
  });
}

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');
