import { tarGz, type TestArchiveEntry } from '@airlock/shared/testing';

export { tarGz };
export type TestEntry = TestArchiveEntry;

/** A submission whose entrypoint is `node main.mjs` with the given program. */
export function submission(program: string, extra: readonly TestArchiveEntry[] = []): Buffer {
  return tarGz([
    { path: 'airlock.json', content: JSON.stringify({ entrypoint: ['node', 'main.mjs'] }) },
    { path: 'main.mjs', content: program },
    ...extra,
  ]);
}
