import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

export interface TestArchiveEntry {
  readonly path: string;
  /** Tar entry type; default `File`. */
  readonly type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice';
  readonly content?: string;
  readonly linkpath?: string;
}

/**
 * For tests only: a .tar.gz written header by header, so tests can build what no honest archiver would (`..`,
 * absolute paths, links).
 */
export function tarGz(entries: readonly TestArchiveEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.content ?? '');
    const isFile = (entry.type ?? 'File') === 'File';
    const block = Buffer.alloc(512);
    new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      size: isFile ? body.length : 0,
      mode: entry.type === 'Directory' ? 0o755 : 0o644,
      mtime: new Date(0),
      linkpath: entry.linkpath ?? '',
    }).encode(block, 0);
    blocks.push(block);
    if (isFile && body.length > 0) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
