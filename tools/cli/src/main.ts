import { parseCommandLine, reportUsageError, didYouMean, UsageError } from '@airlock/shared/command-line';
import { ConfigError, ENVIRONMENT_VARIABLE, loadEnvironment, selectEnvironmentName } from '@airlock/shared/environment';
import { CliError } from '@airlock/operator/cli-error';

const USAGE = `usage:
  airlock submit <archive.tar.gz> [--submission-id ID] [--run-id ID] [--data-profile PROFILE] [--no-follow] [--env NAME]
  airlock submit --submission-id ID [--run-id ID] [--no-follow] [--env NAME]
  airlock status <runId> [--env NAME]
  airlock verify-trust [--env NAME]
Credentials: the default AWS credential chain for the orchestrator account; --data-profile for uploads to the data
account. The environment is --env, else ${ENVIRONMENT_VARIABLE}, else "example".`;

const COMMANDS = ['submit', 'status', 'verify-trust'];

async function main(argv: string[]): Promise<number> {
  const commandLine = parseCommandLine(argv, {
    options: {
      env: { type: 'string' },
      'submission-id': { type: 'string' },
      'run-id': { type: 'string' },
      'data-profile': { type: 'string' },
      'no-follow': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    maxPositionals: 2,
  });
  const { positionals } = commandLine;
  const [command, argument] = positionals;
  if (commandLine.flag('help')) {
    console.log(USAGE);
    return 0;
  }
  if (!command) throw new UsageError('a command is needed');
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${command}"${didYouMean(command, COMMANDS)}`);
  if (command !== 'submit' && positionals.length > (command === 'status' ? 2 : 1))
    throw new UsageError(`unexpected argument "${positionals.at(-1)}" for ${command}`);
  if (command === 'status' && !argument) throw new UsageError('status needs a run ID: airlock status <runId>');
  const env = loadEnvironment(selectEnvironmentName(commandLine.string('env')));
  // The AWS SDK loads only now: --help and a wrong command line answer without it.
  const { defaultDeps } = await import('./cli-deps.js');
  const deps = defaultDeps(env, commandLine.string('data-profile'));
  switch (command) {
    case 'submit': {
      const { submitCommand } = await import('./submit-command.js');
      return submitCommand(
        env,
        {
          archive: argument,
          submissionId: commandLine.string('submission-id'),
          runId: commandLine.string('run-id'),
          follow: !commandLine.flag('no-follow'),
        },
        deps,
      );
    }
    case 'status': {
      const { statusCommand } = await import('./status-command.js');
      return statusCommand(env, argument ?? '', deps);
    }
    default: {
      const { verifyTrustCommand } = await import('./verify-trust-command.js');
      return verifyTrustCommand(env, deps);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError || error instanceof ConfigError) {
      console.error(`airlock: ${error.message}`);
      process.exitCode = error instanceof CliError ? error.exitCode : 2;
      return;
    }
    process.exitCode = reportUsageError('airlock', USAGE, error);
  },
);
