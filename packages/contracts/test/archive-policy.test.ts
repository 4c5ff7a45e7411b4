import { describe, expect, it } from 'vitest';
import { ArchiveChecker, ArchiveRejectedError, type ArchiveLimits } from '../src/archive/archive-policy.js';

const limits: ArchiveLimits = { maxArchiveBytes: 1000, maxEntries: 3, maxTotalBytes: 100, maxPathLength: 20 };
const file = (path: string, size = 1) => ({ path, type: 'File', size });

function rejection(act: (checker: ArchiveChecker) => void): string {
  try {
    act(new ArchiveChecker(limits));
  } catch (error) {
    if (error instanceof ArchiveRejectedError) return error.reason;
    throw error;
  }
  throw new Error('expected the archive to be rejected');
}

describe('ArchiveChecker', () => {
  it('accepts regular files and directories within the limits', () => {
    const checker = new ArchiveChecker(limits);
    checker.checkArchiveSize(1000);
    checker.check({ path: 'src/', type: 'Directory', size: 0 });
    checker.check(file('src/main.mjs', 60));
    checker.check(file('./airlock.json', 40));
    expect(checker.finish()).toEqual({ entries: 3, totalBytes: 100 });
  });

  it.each([
    ['../evil', 'contains a ".." segment'],
    ['a/../../evil', 'contains a ".." segment'],
    ['/etc/passwd', 'is an absolute path'],
    ['C:/x', 'is an absolute path'],
    ['a\\..\\b', 'contains a backslash'],
    ['abcdefghijklmnopqrstu', 'has a path longer than 20 characters'],
  ])('rejects the path %s', (path, reason) => {
    expect(rejection((c) => c.check(file(path)))).toBe(`"${path}" ${reason}`);
  });

  it.each(['SymbolicLink', 'Link', 'CharacterDevice', 'BlockDevice', 'FIFO'])('rejects a %s entry', (type) => {
    expect(rejection((c) => c.check({ path: 'x', type, size: 0 }))).toBe(
      `"x" is a ${type}; only regular files and directories are allowed`,
    );
  });

  it('rejects too many entries, too many unpacked bytes, an oversized or empty archive', () => {
    expect(rejection((c) => ['a', 'b', 'c', 'd'].forEach((p) => c.check(file(p))))).toBe('more than 3 entries');
    expect(rejection((c) => [file('a', 60), file('b', 41)].forEach((e) => c.check(e)))).toBe(
      'unpacked size exceeds 100 bytes',
    );
    expect(rejection((c) => c.checkArchiveSize(1001))).toBe('archive is 1001 bytes, over the limit of 1000');
    expect(rejection((c) => c.finish())).toBe('archive is empty');
  });
});
