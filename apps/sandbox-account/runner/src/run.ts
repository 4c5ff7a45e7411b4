import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ArchiveRejectedError } from '@airlock/contracts';
import { DownloadError, download } from './download.js';
import { execute } from './execute.js';
import { extractChecked, isTarError } from './extract.js';
import { RUNNER_LIMITS, type RunnerLimits } from './limits.js';
import { ManifestError, readManifest } from './manifest.js';
import { readResult } from './read-result.js';
import type { RunnerConfig } from './runner-config.js';
import { RUNNER_EXIT as EXIT, type RunnerOutput } from '@airlock/contracts';
import { UploadError, uploadOutput } from './upload.js';

export interface RunOutcome {
  readonly exitCode: number;
  readonly message: string;
}

/** One run: download, check and extract, execute until the deadline, deliver `output.json`. */
export async function runSubmission(config: RunnerConfig, limits: RunnerLimits = RUNNER_LIMITS): Promise<RunOutcome> {
  const deadline = AbortSignal.timeout(Math.max(0, config.deadline - Date.now()));
  const submissionEnds = config.deadline - limits.uploadReserveMs;
  if (Date.now() >= submissionEnds) return { exitCode: EXIT.DEADLINE, message: 'deadline already passed' };

  const dirs = {
    work: join(config.scratchDir, 'work'),
    out: join(config.scratchDir, 'out'),
    tmp: join(config.scratchDir, 'tmp'),
  };
  Object.values(dirs).forEach((d) => mkdirSync(d, { recursive: true }));
  const archive = join(config.scratchDir, 'input.tar.gz');

  try {
    await download(
      config.inputUrl,
      archive,
      limits.archive.maxArchiveBytes,
      AbortSignal.any([deadline, AbortSignal.timeout(submissionEnds - Date.now())]),
    );
  } catch (error) {
    if (error instanceof DownloadError) return { exitCode: EXIT.DOWNLOAD_FAILED, message: error.message };
    throw error;
  }

  let output: RunnerOutput;
  try {
    extractChecked(archive, dirs.work, limits.archive);
    const manifest = readManifest(dirs.work);
    const resultFile = join(dirs.out, 'result.json');
    const execution = await execute(manifest.entrypoint, {
      cwd: dirs.work,
      env: { HOME: dirs.tmp, TMPDIR: dirs.tmp, AIRLOCK_INPUT_DIR: dirs.work, AIRLOCK_RESULT_FILE: resultFile },
      killAt: submissionEnds,
      tailBytes: limits.outputTailBytes,
    });
    output = {
      schemaVersion: 1,
      status: execution.timedOut ? 'TIMED_OUT' : 'COMPLETED',
      execution,
      ...readResult(resultFile, limits.maxResultBytes),
    };
  } catch (error) {
    if (!(error instanceof ArchiveRejectedError || error instanceof ManifestError || isTarError(error))) throw error;
    output = { schemaVersion: 1, status: 'REJECTED', rejection: (error as Error).message };
  }

  if (deadline.aborted) return { exitCode: EXIT.DEADLINE, message: 'deadline reached before the upload' };
  try {
    await uploadOutput(config.outputPost, JSON.stringify(output), deadline);
  } catch (error) {
    if (error instanceof UploadError) {
      return { exitCode: deadline.aborted ? EXIT.DEADLINE : EXIT.UPLOAD_REJECTED, message: error.message };
    }
    throw error;
  }
  return { exitCode: EXIT.DELIVERED, message: `delivered output.json (${output.status})` };
}
