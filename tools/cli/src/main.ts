import { parseArgs } from 'node:util';
import { ConfigError, ENVIRONMENT_VARIABLE, loadEnvironment, selectEnvironmentName } from '@airlock/shared/environment';
import { CliError } from './cli-error.js';
import { defaultDeps } from './cli-deps.js';
import { statusCommand } from './status-command.js';
import { submitCommand } from './submit-command.js';
import { verifyTrustCommand } from './verify-trust-command.js';

const USAGE = `usage:
  airlock submit <archive.tar.gz> [--submission-id ID] [--run-id ID] [--data-profile PROFILE] [--no-follow] [--env NAME]
  airlock submit --submission-id ID [--run-id ID] [--no-follow] [--env NAME]
  airlock status <runId> [--env NAME]
  airlock verify-trust [--env NAME]
Credentials: the default AWS credential chain for the orchestrator account; --data-profile for uploads to the data
account. The environment is --env, else ${ENVIRONMENT_VARIABLE}, else "example".`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      env: { type: 'string' },
      'submission-id': { type: 'string' },
      'run-id': { type: 'string' },
      'data-profile': { type: 'string' },
      'no-follow': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, argument] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const env = loadEnvironment(selectEnvironmentName(values.env));
  const deps = defaultDeps(env, values['data-profile']);
  switch (command) {
    case 'submit':
      return submitCommand(
        env,
        {
          archive: argument,
          submissionId: values['submission-id'],
          runId: values['run-id'],
          follow: !values['no-follow'],
        },
        deps,
      );
    case 'status':
      if (!argument) throw new CliError('status needs a run ID. Fix: airlock status <runId>');
      return statusCommand(env, argument, deps);
    case 'verify-trust':
      return verifyTrustCommand(env, deps);
    default:
      throw new CliError(`unknown command "${command}"\n${USAGE}`);
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
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`airlock: ${error.message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  },
);
