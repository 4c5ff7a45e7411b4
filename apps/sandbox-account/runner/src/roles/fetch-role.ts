import { mkdirSync } from 'node:fs';
import { ArchiveRejectedError } from '@airlock/contracts';
import { DownloadError, download } from '../download.js';
import { extractChecked, isTarError } from '../extract.js';
import { RUNNER_LIMITS, type RunnerLimits } from '../limits.js';
import { ManifestError, readManifest } from '../manifest.js';
import { CONTAINER_EXIT } from '@airlock/contracts';
import { readDataUrlPrefix, readDeadline, readInputUrl, readRunId, readScratchDir } from './role-config.js';
import { writeRecord } from './records.js';
import type { RoleOutcome } from './role-outcome.js';
import { scratchLayout } from './scratch-layout.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The `fetch` container: checks that INPUT_URL is this run's input object in the data bucket and the deadline is
 * near enough, downloads, checks and extracts the archive into the scratch volume, and records for `run` what to
 * execute. A rejected archive is recorded too (and delivered as REJECTED); nothing of it is extracted.
 */
export async function fetchRole(env: Env, limits: RunnerLimits = RUNNER_LIMITS): Promise<RoleOutcome> {
  const prefix = readDataUrlPrefix(env);
  const runId = readRunId(env);
  const deadline = readDeadline(env);
  const inputUrl = readInputUrl(env, prefix, runId);
  const scratch = scratchLayout(readScratchDir(env));
  const submissionEnds = deadline - limits.uploadReserveMs;
  if (Date.now() >= submissionEnds) return { exitCode: CONTAINER_EXIT.DEADLINE, message: 'no time left to run' };

  [scratch.work, scratch.out, scratch.tmp].forEach((dir) => mkdirSync(dir, { recursive: true }));
  try {
    await download(
      inputUrl,
      scratch.archive,
      limits.archive.maxArchiveBytes,
      AbortSignal.timeout(submissionEnds - Date.now()),
    );
  } catch (error) {
    if (error instanceof DownloadError) return { exitCode: CONTAINER_EXIT.DOWNLOAD_FAILED, message: error.message };
    throw error;
  }
  try {
    extractChecked(scratch.archive, scratch.work, limits.archive);
    const { entrypoint } = readManifest(scratch.work);
    writeRecord(scratch.fetchRecord, { schemaVersion: 1, status: 'READY', entrypoint: [...entrypoint] });
    return { exitCode: CONTAINER_EXIT.OK, message: 'input extracted' };
  } catch (error) {
    if (!(error instanceof ArchiveRejectedError || error instanceof ManifestError || isTarError(error))) throw error;
    writeRecord(scratch.fetchRecord, { schemaVersion: 1, status: 'REJECTED', rejection: (error as Error).message });
    return { exitCode: CONTAINER_EXIT.OK, message: 'input rejected' };
  }
}
