import { join } from 'node:path';

/**
 * Where the three containers meet on the shared scratch volume. Records sit at the volume's root: the root is a
 * mount point the submission cannot rename or replace, so no directory on the way to a record can be a link.
 */
export function scratchLayout(root: string) {
  return {
    root,
    /** The downloaded archive (fetch). */
    archive: join(root, 'input.tar.gz'),
    /** The extracted submission; its working directory (fetch writes, run executes). */
    work: join(root, 'work'),
    /** Holds the submission's `result.json` (AIRLOCK_RESULT_FILE). */
    out: join(root, 'out'),
    /** The submission's HOME and TMPDIR. */
    tmp: join(root, 'tmp'),
    fetchRecord: join(root, FETCH_RECORD),
    runRecord: join(root, RUN_RECORD),
  };
}
export type ScratchLayout = ReturnType<typeof scratchLayout>;

/** fetch's verdict for run: the entrypoint, or why the archive was rejected. */
export const FETCH_RECORD = 'fetch-record.json';
/** run's account of the execution for deliver. */
export const RUN_RECORD = 'run-record.json';

/** The submission's result, relative to the volume's root (deliver checks every component on the way). */
export const RESULT_PATH = ['out', 'result.json'] as const;
