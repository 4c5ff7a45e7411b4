import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export class HostileFileError extends Error {}

/**
 * Reads `root/<parts...>` from a volume the submission could write: every directory on the way must be a real
 * directory (no link), the file a regular file with one name (a hard link would be another file's content) of at most
 * `maxBytes`, opened without following a link and without
 * blocking (a FIFO would hang a plain open), re-checked on the open descriptor (same inode, still regular, same
 * size) before a byte is read, and never read past the bound. Returns undefined when the file does not exist.
 */
export function readHostileFile(root: string, parts: readonly string[], maxBytes: number): Buffer | undefined {
  const name = parts.join('/');
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    const stat = lstatOrUndefined(dir);
    if (!stat) return undefined;
    if (!stat.isDirectory()) throw new HostileFileError(`${part} (on the way to ${name}) is not a directory`);
  }
  const file = join(dir, parts.at(-1) ?? '');
  const before = lstatOrUndefined(file);
  if (!before) return undefined;
  if (!before.isFile()) throw new HostileFileError(`${name} is not a regular file`);
  if (before.nlink !== 1)
    throw new HostileFileError(`${name} has ${before.nlink} hard links; it must have exactly one`);
  if (before.size > maxBytes)
    throw new HostileFileError(`${name} is ${before.size} bytes, over the limit of ${maxBytes}`);

  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw new HostileFileError(`${name} cannot be opened: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const opened = fstatSync(fd);
    if (
      !opened.isFile() ||
      opened.dev !== before.dev ||
      opened.ino !== before.ino ||
      opened.size !== before.size ||
      opened.nlink !== 1
    ) {
      throw new HostileFileError(`${name} changed while it was being opened`);
    }
    // Never more than the bound, plus one byte: a file that grew after the check is refused, not truncated.
    const buffer = Buffer.alloc(Math.min(opened.size, maxBytes) + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > Math.min(opened.size, maxBytes)) throw new HostileFileError(`${name} grew while it was being read`);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
