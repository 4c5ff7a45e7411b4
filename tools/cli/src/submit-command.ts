import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CliError, followExecution, requireAccount, stateExitedLine, uploadSubmission } from '@airlock/operator';
import type { AirlockEnvironment } from '@airlock/shared/environment';
import { analysisStateMachineArn, dataBucketName, ID_RULE, isValidId, runsTableName } from '@airlock/contracts';
import type { CliDeps } from './cli-deps.js';

export interface SubmitOptions {
  /** Archive to upload first; without it, `submissionId` must name an uploaded submission. */
  readonly archive?: string;
  readonly submissionId?: string;
  readonly runId?: string;
  readonly follow: boolean;
}

/** `airlock submit`: upload (optional), start the run named by its run ID, follow it; resolves to the exit code. */
export async function submitCommand(env: AirlockEnvironment, options: SubmitOptions, deps: CliDeps): Promise<number> {
  const submissionId = options.submissionId ?? (options.archive ? `sub-${deps.newId()}` : undefined);
  const runId = options.runId ?? `run-${deps.newId()}`;
  if (!submissionId)
    throw new CliError('nothing to run. Fix: give an archive, or --submission-id of an uploaded submission');
  for (const [flag, id] of [
    ['--submission-id', submissionId],
    ['--run-id', runId],
  ] as const) {
    if (!isValidId(id)) throw new CliError(`${flag} "${id}" is not valid: use ${ID_RULE}`);
  }

  const operator = await requireAccount(
    deps.sts,
    env.accounts.orchestrator,
    `orchestrator account of environment "${env.environment}"`,
  );
  if (options.archive) {
    await requireAccount(
      deps.data.sts,
      env.accounts.data,
      `data account of environment "${env.environment}" (--data-profile)`,
    );
    const uploaded = await uploadSubmission(
      deps.data,
      {
        bucket: dataBucketName(env),
        table: runsTableName(env),
        recordRetentionDays: env.retention.submissionRecordDays,
      },
      submissionId,
      options.archive,
      operator,
    );
    deps.out(
      `uploaded ${options.archive} as submission ${submissionId} (${uploaded.bytes} bytes, sha256 ${uploaded.sha256.slice(0, 12)}…)`,
    );
  }

  let executionArn: string;
  try {
    const started = await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: analysisStateMachineArn(env),
        name: runId,
        input: JSON.stringify({ submissionId }),
      }),
    );
    executionArn = started.executionArn ?? '';
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) {
      throw new CliError(
        `run ID ${runId} was already used: a run ID names exactly one run. Fix: omit --run-id or choose a new one`,
      );
    }
    throw error;
  }
  deps.out(`started run ${runId} for submission ${submissionId}`);
  if (!options.follow) return 0;

  const end = await followExecution(deps.sfn, executionArn, {
    intervalMs: deps.pollIntervalMs,
    sleep: deps.sleep,
    onStateExited: (name, elapsedMs) => deps.out(stateExitedLine(name, elapsedMs)),
  });
  if (end.status === 'SUCCEEDED') {
    deps.out(`run ${runId} SUCCEEDED: ${end.output ?? ''}`);
    return 0;
  }
  deps.out(`run ${runId} ${end.status}: ${end.error ?? ''} ${end.cause ?? ''}`.trimEnd());
  return 1;
}
