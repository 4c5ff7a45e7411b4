import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `airlock.json` at the archive's root: `{ "entrypoint": ["node", "main.mjs"] }`, run from the archive's root. */
export const MANIFEST_FILE = 'airlock.json';

export interface Manifest {
  readonly entrypoint: readonly [string, ...string[]];
}

export class ManifestError extends Error {}

export function readManifest(dir: string): Manifest {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) throw new ManifestError(`${MANIFEST_FILE} is missing from the archive root`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ManifestError(`${MANIFEST_FILE} is not valid JSON`);
  }
  const entrypoint = (parsed as { entrypoint?: unknown } | null)?.entrypoint;
  if (
    !Array.isArray(entrypoint) ||
    entrypoint.length === 0 ||
    entrypoint.length > 32 ||
    !entrypoint.every(
      (part) => typeof part === 'string' && part.length > 0 && part.length <= 1024 && !part.includes('\0'),
    )
  ) {
    throw new ManifestError(`${MANIFEST_FILE} must have "entrypoint": a non-empty array of up to 32 strings`);
  }
  return { entrypoint: entrypoint as unknown as Manifest['entrypoint'] };
}
