import { DescribeExecutionCommand, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import { CliError, requireAccount } from '@airlock/operator';
import type { AirlockEnvironment } from '@airlock/shared/environment';
import { analysisStateMachineName } from '@airlock/contracts';
import type { CliDeps } from './cli-deps.js';

export const executionArn = (env: AirlockEnvironment, runId: string): string =>
  `arn:${env.partition}:states:${env.region}:${env.accounts.orchestrator}:execution:${analysisStateMachineName(env)}:${runId}`;

/** `airlock status <runId>`: 0 succeeded, 1 failed/timed out/aborted, 3 still running. */
export async function statusCommand(env: AirlockEnvironment, runId: string, deps: CliDeps): Promise<number> {
  await requireAccount(deps.sts, env.accounts.orchestrator, `orchestrator account of environment "${env.environment}"`);
  let execution;
  try {
    execution = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(env, runId) }));
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist)
      throw new CliError(`no run ${runId} in environment ${env.environment}`, 1);
    throw error;
  }
  const took =
    execution.stopDate && execution.startDate
      ? ` in ${((execution.stopDate.getTime() - execution.startDate.getTime()) / 1000).toFixed(1)}s`
      : '';
  deps.out(`run ${runId}: ${execution.status}${took}`);
  if (execution.error) deps.out(`  ${execution.error}: ${execution.cause ?? ''}`);
  if (execution.status === 'SUCCEEDED') return 0;
  return execution.status === 'RUNNING' ? 3 : 1;
}
