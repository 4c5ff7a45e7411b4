import { readRunnerConfig, RunnerConfigError } from './runner-config.js';
import { RUNNER_EXIT as EXIT } from '@airlock/contracts';
import { runSubmission } from './run.js';

/**
 * The single-container mode (`node runner.mjs` with no role): one process downloads, runs and delivers. Kept only
 * until the launch workflow runs the three-container task; the stack and the rehearsal still use it.
 * Logs say what happened to the run, never the URLs (they grant access until expiry).
 */
export async function singleProcess(): Promise<number> {
  let config;
  try {
    config = readRunnerConfig(process.env);
  } catch (error) {
    if (!(error instanceof RunnerConfigError)) throw error;
    console.error(`airlock-runner: ${error.message}`);
    return EXIT.BAD_ENVIRONMENT;
  }
  // A hard stop at the deadline, whatever is still pending.
  setTimeout(
    () => {
      console.error('airlock-runner: deadline reached');
      process.exit(EXIT.DEADLINE);
    },
    Math.max(0, config.deadline - Date.now()),
  ).unref();
  const outcome = await runSubmission(config);
  console.log(`airlock-runner: ${outcome.message}`);
  return outcome.exitCode;
}
