import { analysisStateMachineArn, dataBucketName, runsTableName } from '@airlock/contracts';
import { CliError } from '@airlock/operator';
import type { AirlockEnvironment } from '@airlock/shared/environment';

/**
 * What a missing resource or a refused call means for a canary: a missing resource means the environment is not fully
 * deployed (exit 3); a refused call of a deployed canary role is a failure (exit 1): a permission the run needs is gone,
 * which the pipeline must not pass as a warning. One line naming what and what to do, or undefined for any other error.
 */
export function notDeployed(env: AirlockEnvironment, error: unknown): CliError | undefined {
  const { name, message } = error as { name?: string; message?: string };
  const rerun = `then run airlock-canary ${env.environment} again`;
  switch (name) {
    case 'StateMachineDoesNotExist':
      return new CliError(
        `environment "${env.environment}" is not fully deployed: the analysis workflow ${analysisStateMachineArn(env)} does not exist. Fix: deploy the orchestrator app (deploy-orchestrator.yml), ${rerun}`,
        3,
      );
    case 'NoSuchBucket':
      return new CliError(
        `environment "${env.environment}" is not fully deployed: the data bucket ${dataBucketName(env)} does not exist. Fix: deploy the data app (deploy-data.yml), ${rerun}`,
        3,
      );
    case 'ResourceNotFoundException':
      return new CliError(
        `environment "${env.environment}" is not fully deployed: the runs table ${runsTableName(env)} does not exist. Fix: deploy the data app (deploy-data.yml), ${rerun}`,
        3,
      );
    case 'AccessDenied':
    case 'AccessDeniedException':
      return new CliError(
        `a canary role was refused (${message ?? name}). Fix: deploy the orchestrator and data apps from this commit (their canary roles' permissions come with them), ${rerun}`,
        1,
      );
    default:
      return undefined;
  }
}
