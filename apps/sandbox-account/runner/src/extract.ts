import { statSync } from 'node:fs';
import { ArchiveChecker, type ArchiveLimits } from '@airlock/contracts';
import { list, extract } from 'tar';

/**
 * Checks every entry of a .tar.gz against the archive rules, then extracts it into `dir`. Nothing is written unless
 * the whole archive passes, and extraction again admits only regular files and directories.
 */
export function extractChecked(
  file: string,
  dir: string,
  limits: ArchiveLimits,
): { entries: number; totalBytes: number } {
  const checker = new ArchiveChecker(limits);
  checker.checkArchiveSize(statSync(file).size);
  let rejection: unknown;
  list({
    file,
    sync: true,
    strict: true,
    onReadEntry: (entry) => {
      if (rejection) return;
      try {
        checker.check({ path: entry.path, type: entry.type, size: entry.size });
      } catch (error) {
        rejection = error;
      }
    },
  });
  if (rejection) throw rejection;
  const summary = checker.finish();
  extract({
    file,
    cwd: dir,
    sync: true,
    strict: true,
    preservePaths: false,
    preserveOwner: false,
    filter: (_path, entry) =>
      'type' in entry && ['File', 'OldFile', 'ContiguousFile', 'Directory'].includes(entry.type),
  });
  return summary;
}

/** node-tar reports a corrupt or non-gzip archive as an error with a TAR_* or Z_* code. */
export function isTarError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && /^(TAR_|Z_)/.test(code);
}
