import { ArchiveChecker, ArchiveRejectedError, type ArchiveLimits } from '@airlock/contracts';
import { Parser } from 'tar';

/** Reads every entry header of a .tar.gz held in memory and applies the archive rules; nothing is extracted. */
export function checkArchive(archive: Buffer, limits: ArchiveLimits): Promise<{ entries: number; totalBytes: number }> {
  const checker = new ArchiveChecker(limits);
  checker.checkArchiveSize(archive.length);
  return new Promise((resolve, reject) => {
    let rejection: unknown;
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry) => {
        if (!rejection) {
          try {
            checker.check({ path: entry.path, type: entry.type, size: entry.size });
          } catch (error) {
            rejection = error;
          }
        }
        entry.resume();
      },
    });
    parser.on('error', (error: Error) => reject(new ArchiveRejectedError(`not a valid .tar.gz (${error.message})`)));
    parser.on('end', () => {
      if (rejection) return reject(rejection);
      try {
        resolve(checker.finish());
      } catch (error) {
        reject(error);
      }
    });
    parser.end(archive);
  });
}
