import { join } from 'node:path';
import { RUNNER_LIMITS, type RunnerLimits } from '../limits.js';
import { CONTAINER_EXIT } from '@airlock/contracts';
import { holdInspectorPort } from './inspector-guard.js';
import { isNamespaceInit } from './process-namespace.js';
import { readDeadline, readScratchDir, refuseAccessGrants, RoleRefusal } from './role-config.js';
import { fetchRecordSchema, readRecord, RecordError, type RunRecord, writeRecord } from './records.js';
import type { RoleOutcome } from './role-outcome.js';
import { FETCH_RECORD, RESULT_PATH, scratchLayout } from './scratch-layout.js';
import { supervise } from './supervise.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The `run` container: PID 1 of its own PID namespace, it runs the submission fetch extracted, with nothing of its
 * own environment, and when the submission's main process exits, at the deadline or on SIGTERM, kills everything
 * in the namespace, then records the execution for `deliver`. Its exit code is a claim: the submission shares its
 * uid; the launch workflow's timeout is the authority on the deadline.
 */
export async function runRole(env: Env, stop: AbortSignal, limits: RunnerLimits = RUNNER_LIMITS): Promise<RoleOutcome> {
  if (!isNamespaceInit()) {
    throw new RoleRefusal(
      CONTAINER_EXIT.NOT_NAMESPACE_INIT,
      "run must be PID 1 of its own PID namespace with that namespace's /proc (a container without an init process, or `unshare --pid --fork --mount-proc`): it kills every process it can signal",
    );
  }
  refuseAccessGrants(env);
  await holdInspectorPort();
  const deadline = readDeadline(env);
  const scratch = scratchLayout(readScratchDir(env));
  const submissionEnds = deadline - limits.uploadReserveMs;
  if (Date.now() >= submissionEnds) return { exitCode: CONTAINER_EXIT.DEADLINE, message: 'no time left to run' };

  // Nothing untrusted has run yet: what fetch recorded is still fetch's.
  let fetched;
  try {
    fetched = readRecord(scratch.root, FETCH_RECORD, fetchRecordSchema);
  } catch (error) {
    if (error instanceof RecordError) return { exitCode: CONTAINER_EXIT.RECORD_UNUSABLE, message: error.message };
    throw error;
  }
  if (fetched.status === 'REJECTED') {
    return (
      recorded(scratch.runRecord, fetched) ?? {
        exitCode: CONTAINER_EXIT.OK,
        message: 'nothing ran: the input was rejected',
      }
    );
  }

  const outcome = await supervise(fetched.entrypoint, {
    cwd: scratch.work,
    env: {
      HOME: scratch.tmp,
      TMPDIR: scratch.tmp,
      AIRLOCK_INPUT_DIR: scratch.work,
      AIRLOCK_RESULT_FILE: join(scratch.root, ...RESULT_PATH),
    },
    killAt: submissionEnds,
    tailBytes: limits.outputTailBytes,
    stop,
  });
  if (outcome.survivors.length > 0) {
    return {
      exitCode: CONTAINER_EXIT.SURVIVORS,
      message: `${outcome.survivors.length} process(es) outlived the kill; no record written`,
    };
  }
  // Everything the submission started is dead: nothing can race the record's path any more.
  const { execution } = outcome;
  const unwritten = recorded(scratch.runRecord, {
    schemaVersion: 1,
    status: execution.timedOut ? 'TIMED_OUT' : 'COMPLETED',
    execution,
  });
  if (unwritten) return unwritten;
  if (outcome.stopped) return { exitCode: CONTAINER_EXIT.STOPPED, message: 'stopped by SIGTERM; everything killed' };
  return {
    exitCode: CONTAINER_EXIT.OK,
    message: `submission ended (${execution.timedOut ? 'deadline' : `exit ${execution.exitCode ?? execution.signal}`}); everything killed`,
  };
}

/** Writes run's record; the outcome to exit with when it cannot be written (deliver then finds none and uploads nothing). */
function recorded(path: string, record: RunRecord): RoleOutcome | undefined {
  try {
    writeRecord(path, record);
    return undefined;
  } catch (error) {
    if (error instanceof RecordError) return { exitCode: CONTAINER_EXIT.RECORD_UNUSABLE, message: error.message };
    throw error;
  }
}
