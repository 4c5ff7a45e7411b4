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
  // Loading the rehearsal's modules (~2 s of CPU) reads nothing synth writes, so it runs while Nx checks the cloud
  // assemblies in its own process; a failure to load is awaited, and so reported, after the synth.
  const loading = import('./main.js');
  loading.catch(() => undefined);
  await synthesizeAccountApps(root);
  const { rehearse } = await loading;
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
