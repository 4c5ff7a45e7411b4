// `npm start`: reads the command line before loading anything heavy, so --help and a wrong flag answer at once and
// never synthesize; then synthesizes what is stale (quietly, progress on stderr) and rehearses.
import { fileURLToPath } from 'node:url';
import { reportUsageError } from '@airlock/shared/command-line';
import { ConfigError, loadEnvironment, selectEnvironmentName } from '@airlock/shared/environment';
import { synthesizeAccountApps, SynthesisFailed } from '@airlock/shared/synthesize';
import { parseRehearsalCommandLine, USAGE } from './command-line.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function cli(): Promise<number> {
  const options = parseRehearsalCommandLine(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const env = loadEnvironment(selectEnvironmentName(undefined));
  await synthesizeAccountApps(root);
  const { rehearse } = await import('./main.js');
  return rehearse(options, env);
}

cli().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof SynthesisFailed) {
      console.error(error.message);
      process.exit(error instanceof ConfigError ? 2 : 1);
    }
    process.exit(reportUsageError('npm start', USAGE, error));
  },
);
