import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@airlock/shared/environment';
import { create } from 'tar';

/** The bundled example submission (our own code): what `npm start` runs when given no submission. */
export const EXAMPLE_SUBMISSION = fileURLToPath(new URL('../../../../examples/submissions/hello/', import.meta.url));

/** A submission as an operator uploads it: a directory packed as .tar.gz from its root, or a .tar.gz as is. */
export async function archiveSubmission(path: string): Promise<Buffer> {
  if (!existsSync(path))
    throw new ConfigError(path, ['does not exist. Fix: give a submission directory or a .tar.gz archive']);
  if (!statSync(path).isDirectory()) return readFileSync(path);
  const chunks: Buffer[] = [];
  const stream = create({ gzip: true, cwd: path, portable: true }, ['.']);
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
