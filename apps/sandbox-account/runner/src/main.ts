import { readRunnerConfig, RunnerConfigError } from './runner-config.js';
import { RUNNER_EXIT as EXIT } from '@airlock/contracts';
import { runSubmission } from './run.js';

// The container's entrypoint. Logs say what happened to the run, never the URLs (they grant access until expiry).
async function main(): Promise<number> {
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

process.exitCode = await main();
