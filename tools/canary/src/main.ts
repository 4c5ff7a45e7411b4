import { parseCommandLine, reportUsageError, UsageError } from '@airlock/shared/command-line';
import { ConfigError, loadEnvironment } from '@airlock/shared/environment';
import { CliError } from '@airlock/operator/cli-error';
import { formatLine, PROBE_CLAIMS_NOTE, type CheckLine } from './check-line.js';
import { summaryMarkdown, writeJobSummary } from './report.js';

const USAGE = `usage:
  airlock-canary <env> [--json]            run the example and the probe through the deployed environment
  airlock-canary --rehearsal [--json]      the same canary against the local rehearsal's endpoints (environment "example")
Credentials: in a GitHub workflow, its OIDC token (job in GitHub environment "<env>-canary", id-token: write); elsewhere
your AWS credentials, which the canary roles must trust. Exit 0 all passed, 1 a check failed, 2 usage, 3 not deployed.`;

async function main(argv: string[]): Promise<number> {
  const commandLine = parseCommandLine(argv, {
    options: { rehearsal: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    maxPositionals: 1,
  });
  if (commandLine.flag('help')) {
    console.log(USAGE);
    return 0;
  }
  const rehearsal = commandLine.flag('rehearsal');
  const [name] = commandLine.positionals;
  if (!rehearsal && !name) throw new UsageError('an environment is needed: airlock-canary <env>');
  const env = loadEnvironment(name ?? 'example');
  const json = commandLine.flag('json');
  // Progress goes to stderr with --json: stdout is then the report alone.
  const out = (line: string) => (json ? console.error(line) : console.log(line));
  // The AWS SDK and the rehearsal load only now: --help and a wrong command line answer without them.
  const { runCanary } = await import('./canary.js');
  let lines: CheckLine[];
  let notReproduced: readonly CheckLine[] = [];
  if (rehearsal) {
    const { startRehearsalTarget } = await import('./rehearsal-target.js');
    const target = await startRehearsalTarget(env, out);
    try {
      lines = await runCanary(env, target.deps);
      notReproduced = target.notReproduced;
    } finally {
      await target.close();
    }
  } else {
    const { awsCanaryDeps } = await import('./aws-canary-deps.js');
    lines = await runCanary(env, await awsCanaryDeps(env, out));
  }
  const all = [...lines, ...notReproduced];
  const where = rehearsal ? 'rehearsal' : 'aws';
  if (json)
    console.log(
      JSON.stringify({ environment: env.environment, target: where, lines: all, note: PROBE_CLAIMS_NOTE }, null, 2),
    );
  else {
    console.log('');
    for (const line of all) console.log(formatLine(line));
    console.log(`\n${PROBE_CLAIMS_NOTE}`);
  }
  writeJobSummary(summaryMarkdown(env.environment, where, all));
  const failed = all.filter((l) => l.verdict === 'FAIL');
  for (const f of failed) console.error(`airlock-canary: FAIL ${f.check}: ${f.detail}`);
  return failed.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError || error instanceof ConfigError) {
      console.error(`airlock-canary: ${error.message}`);
      process.exitCode = error instanceof CliError ? error.exitCode : 2;
      return;
    }
    process.exitCode = reportUsageError('airlock-canary', USAGE, error);
  },
);
