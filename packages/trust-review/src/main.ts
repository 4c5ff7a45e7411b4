// `npm run review`: reads the command line before loading anything heavy, so --help and a wrong flag answer at once
// and never synthesize.
import { fileURLToPath } from 'node:url';
import { parseCommandLine, reportUsageError, UsageError } from '@airlock/shared/command-line';
import { ConfigError, loadEnvironment, selectEnvironmentName } from '@airlock/shared/environment';
import { SynthesisFailed } from '@airlock/shared/synthesize';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// The review's exit code for findings; 2 (drift) is also the usage exit code.
const FINDINGS = 1;

const USAGE = `usage: npm run review [-- --accept | --json | --diff | --help]
       npm run review -- who-can <action> <resource ARN or pattern>
  (no option)  synthesize what is stale, review every trust policy, compare with security/trust-baseline.json
  --accept     after a reviewer's approval: rewrite the baseline (refused while there are findings); commit it
  --json       print report.json on stdout (everything else goes to stderr)
  --diff       print what changed since the baseline, broadening first, as Markdown for a pull request (on stdout)
  who-can      every principal of the three accounts (and their administrators, and another account) that the
               synthesized policies let make the request, with the keys it needs and who can become it
Writes out/trust-review/{report.md,report.json,trust-graph.svg}. Exit 0 clean, 1 findings, 2 baseline drift or usage.
Environment: AIRLOCK_ENV, default "example".`;

async function main(): Promise<number> {
  const commandLine = parseCommandLine(process.argv.slice(2), {
    options: {
      accept: { type: 'boolean' },
      json: { type: 'boolean' },
      diff: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    maxPositionals: 3,
  });
  if (commandLine.flag('help')) {
    console.log(USAGE);
    return 0;
  }
  const [command, action, resource] = commandLine.positionals;
  if (command !== undefined) {
    if (command !== 'who-can') throw new UsageError(`unknown command "${command}": the only command is who-can`);
    if (!action || !resource)
      throw new UsageError('who-can needs an action and a resource: who-can s3:GetObject arn:aws:s3:::bucket/runs/*');
    const env = loadEnvironment(selectEnvironmentName(undefined));
    const { runWhoCan } = await import('./run-review.js');
    return runWhoCan(env, root, action, resource);
  }
  if (commandLine.flag('json') && commandLine.flag('diff'))
    throw new UsageError('--json and --diff both print on stdout: choose one');
  const env = loadEnvironment(selectEnvironmentName(undefined));
  const { runReview } = await import('./run-review.js');
  return runReview(env, root, {
    accept: commandLine.flag('accept'),
    json: commandLine.flag('json'),
    diff: commandLine.flag('diff'),
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof SynthesisFailed) {
      console.error(`trust review: ${error.message}`);
      process.exitCode = FINDINGS;
      return;
    }
    process.exitCode = reportUsageError('npm run review', USAGE, error);
  },
);
