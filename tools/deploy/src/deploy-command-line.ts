import { didYouMean, parseCommandLine, reportUsageError, UsageError } from '@airlock/shared/command-line';
import { ACCOUNT_ROLES } from '@airlock/shared/environment';

// Apart from deploy-cli.ts, which loads the AWS SDK's clients and the post-deploy checks: `--help` and a mistyped
// command answer without loading them (bin/airlock-deploy.mjs), ~1.1 s of CPU less each (docs/performance.md).
const USAGE = [
  'usage: airlock-deploy <target|guard|gate|diff|deploy|deploy-broadening|verify|drift> <orchestrator|sandbox|data>',
  '       airlock-deploy kill-switch <on|off> <sandbox|data>',
  '(environment: AIRLOCK_ENV, default "example")',
].join('\n');

const COMMANDS = ['target', 'guard', 'gate', 'diff', 'deploy', 'deploy-broadening', 'verify', 'drift', 'kill-switch'];

/** The command, its account and (for the kill switch) the state, or a UsageError naming what is wrong. */
function parseDeployCommandLine(argv: string[]): { help: boolean; words: string[] } {
  const commandLine = parseCommandLine(argv, { options: { help: { type: 'boolean', short: 'h' } }, maxPositionals: 3 });
  if (commandLine.flag('help')) return { help: true, words: [] };
  const [command, ...rest] = commandLine.positionals;
  if (!command) throw new UsageError('a command is needed');
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${command}"${didYouMean(command, COMMANDS)}`);
  const expected =
    command === 'kill-switch'
      ? [
          { what: 'state', choices: ['on', 'off'] },
          { what: 'account', choices: ['sandbox', 'data'] },
        ]
      : [{ what: 'account', choices: [...ACCOUNT_ROLES] }];
  if (rest.length > expected.length) throw new UsageError(`unexpected argument "${rest[expected.length]}"`);
  expected.forEach(({ what, choices }, i) => {
    const word = rest[i];
    if (word === undefined) throw new UsageError(`${command} needs the ${what}: one of ${choices.join(', ')}`);
    if (!choices.includes(word))
      throw new UsageError(`unknown ${what} "${word}"${didYouMean(word, choices)}: one of ${choices.join(', ')}`);
  });
  return { help: false, words: [command, ...rest] };
}

/**
 * The command's words, or the exit code once `--help` or a usage error has been answered (usage on stdout, or the
 * mistake and usage on stderr).
 */
export function readDeployCommandLine(argv: string[]): { words: string[] } | { exitCode: number } {
  let parsed;
  try {
    parsed = parseDeployCommandLine(argv);
  } catch (error) {
    return { exitCode: reportUsageError('airlock-deploy', USAGE, error) };
  }
  if (parsed.help) {
    console.log(USAGE);
    return { exitCode: 0 };
  }
  return { words: parsed.words };
}
