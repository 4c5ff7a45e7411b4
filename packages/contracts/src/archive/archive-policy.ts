/**
 * The rules every submission archive must follow, enforced twice: by the data account's prepare step before the
 * run, and by the sandbox runner before it extracts. Pure and dependency-free so the runner bundle stays small.
 */
export interface ArchiveLimits {
  /** Size of the compressed archive. */
  readonly maxArchiveBytes: number;
  /** Number of entries (files and directories). */
  readonly maxEntries: number;
  /** Sum of the uncompressed file sizes: bounds a decompression bomb. */
  readonly maxTotalBytes: number;
  /** Length of an entry's path. */
  readonly maxPathLength: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxArchiveBytes: 10 * 1024 * 1024,
  maxEntries: 2_000,
  maxTotalBytes: 64 * 1024 * 1024,
  maxPathLength: 255,
};

/** One entry as a tar reader reports it; `type` uses node-tar's names (`File`, `Directory`, `SymbolicLink`, …). */
export interface ArchiveEntry {
  readonly path: string;
  readonly type: string;
  readonly size: number;
}

export class ArchiveRejectedError extends Error {
  constructor(readonly reason: string) {
    super(`archive rejected: ${reason}`);
    this.name = 'ArchiveRejectedError';
  }
}

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/** Checks entries one by one as a tar reader yields them; call `finish()` once the archive has ended. */
export class ArchiveChecker {
  private entries = 0;
  private totalBytes = 0;

  constructor(private readonly limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS) {}

  /** Checks the compressed size before anything is read. */
  checkArchiveSize(bytes: number): void {
    if (bytes > this.limits.maxArchiveBytes) {
      throw new ArchiveRejectedError(`archive is ${bytes} bytes, over the limit of ${this.limits.maxArchiveBytes}`);
    }
  }

  check(entry: ArchiveEntry): void {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      throw new ArchiveRejectedError(`more than ${this.limits.maxEntries} entries`);
    }
    if (!ALLOWED_TYPES.has(entry.type)) {
      throw new ArchiveRejectedError(
        `"${entry.path}" is a ${entry.type}; only regular files and directories are allowed`,
      );
    }
    const problem = pathProblem(entry.path, this.limits.maxPathLength);
    if (problem) throw new ArchiveRejectedError(`"${entry.path}" ${problem}`);
    this.totalBytes += entry.size;
    if (this.totalBytes > this.limits.maxTotalBytes) {
      throw new ArchiveRejectedError(`unpacked size exceeds ${this.limits.maxTotalBytes} bytes`);
    }
  }

  finish(): { entries: number; totalBytes: number } {
    if (this.entries === 0) throw new ArchiveRejectedError('archive is empty');
    return { entries: this.entries, totalBytes: this.totalBytes };
  }
}

function pathProblem(path: string, maxLength: number): string | undefined {
  if (path.length === 0) return 'has an empty path';
  if (path.length > maxLength) return `has a path longer than ${maxLength} characters`;
  if (path.includes('\0')) return 'contains a NUL character';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'is an absolute path';
  if (path.split('/').includes('..')) return 'contains a ".." segment';
  return undefined;
}
