import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

export interface TestEntry {
  readonly path: string;
  /** Tar entry type; default `File`. */
  readonly type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice';
  readonly content?: string;
  readonly linkpath?: string;
}

/**
 * A .tar.gz written header by header, so tests can build what no honest archiver would (`..`, absolute paths,
 * links).
 */
export function tarGz(entries: readonly TestEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.content ?? '');
    const header = new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      size: entry.type && entry.type !== 'File' ? 0 : body.length,
      mode: entry.type === 'Directory' ? 0o755 : 0o644,
      mtime: new Date(0),
      linkpath: entry.linkpath ?? '',
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (body.length > 0 && (entry.type ?? 'File') === 'File') {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A submission whose entrypoint is `node main.mjs` with the given program. */
export function submission(program: string, extra: readonly TestEntry[] = []): Buffer {
  return tarGz([
    { path: 'airlock.json', content: JSON.stringify({ entrypoint: ['node', 'main.mjs'] }) },
    { path: 'main.mjs', content: program },
    ...extra,
  ]);
}
