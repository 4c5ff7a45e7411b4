import { existsSync, lstatSync, readFileSync } from 'node:fs';

/** The submission's own `result.json`, if it wrote a regular file of bounded size holding valid JSON. */
export function readResult(file: string, maxBytes: number): { result?: unknown; resultError?: string } {
  if (!existsSync(file)) return {};
  const stat = lstatSync(file);
  if (!stat.isFile()) return { resultError: 'result.json is not a regular file' };
  if (stat.size > maxBytes) return { resultError: `result.json is ${stat.size} bytes, over the limit of ${maxBytes}` };
  try {
    return { result: JSON.parse(readFileSync(file, 'utf8')) };
  } catch {
    return { resultError: 'result.json is not valid JSON' };
  }
}
