import { didYouMean, parseCommandLine, UsageError } from '@airlock/shared/command-line';
import { ATTACK_NAMES, FAULT_NAMES } from './run/scenario-names.js';

export const USAGE = `usage: npm start -- [--submission <dir|archive.tar.gz>] [--run-timeout <seconds>] [--unconfined] [--json] [--runs N --concurrency C] [--fault NAME] [--attack NAME|all] [--session-token-length N]
faults: ${FAULT_NAMES.join(', ')}
attacks: ${ATTACK_NAMES.join(', ')}`;

/** What `npm start` was asked to do. */
export interface RehearsalCommandLine {
  readonly help: boolean;
  readonly submission: string | undefined;
  readonly json: boolean;
  readonly runs: number;
  readonly concurrency: number;
  readonly fault: string | undefined;
  /** Characters in each minted session token. @default - the rehearsal's own default (`SESSION_TOKEN_LENGTH`) */
  readonly sessionTokenLength: number | undefined;
  /** One hostile submission of the attack suite, or `all`. */
  readonly attack: string | undefined;
  /** Run another submission even where the kernel cannot confine it (the user's own files and network). */
  readonly unconfined: boolean;
  /** Seconds the submission may run, instead of the environment's `run.timeoutSeconds` (no re-synth needed). */
  readonly runTimeoutSeconds: number | undefined;
}

const isOneOf = (names: readonly string[], name: string): boolean => names.includes(name);

// A session token shorter than this is no token: AWS's are hundreds to thousands of characters.
const MIN_SESSION_TOKEN_LENGTH = 16;

const wholeNumber = (name: string, value: string, least: number): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < least)
    throw new UsageError(`--${name} takes a whole number of at least ${least}, got "${value}"`);
  return n;
};

/** Parses `npm start`'s arguments; throws a UsageError for anything it does not take. */
export function parseRehearsalCommandLine(argv: readonly string[]): RehearsalCommandLine {
  const commandLine = parseCommandLine(argv, {
    options: {
      submission: { type: 'string' },
      json: { type: 'boolean' },
      runs: { type: 'string' },
      concurrency: { type: 'string' },
      fault: { type: 'string' },
      'session-token-length': { type: 'string' },
      attack: { type: 'string' },
      unconfined: { type: 'boolean' },
      'run-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const fault = commandLine.string('fault');
  const tokenLength = commandLine.string('session-token-length');
  const runTimeout = commandLine.string('run-timeout');
  if (fault !== undefined && !isOneOf(FAULT_NAMES, fault))
    throw new UsageError(`unknown fault "${fault}"${didYouMean(fault, FAULT_NAMES)}`);
  const attack = commandLine.string('attack');
  if (attack !== undefined && attack !== 'all' && !isOneOf(ATTACK_NAMES, attack))
    throw new UsageError(`unknown attack "${attack}"${didYouMean(attack, [...ATTACK_NAMES, 'all'])}`);
  return {
    help: commandLine.flag('help'),
    submission: commandLine.string('submission'),
    json: commandLine.flag('json'),
    runs: wholeNumber('runs', commandLine.string('runs') ?? '1', 1),
    concurrency: wholeNumber('concurrency', commandLine.string('concurrency') ?? '1', 1),
    fault,
    sessionTokenLength:
      tokenLength === undefined
        ? undefined
        : wholeNumber('session-token-length', tokenLength, MIN_SESSION_TOKEN_LENGTH),
    attack,
    unconfined: commandLine.flag('unconfined'),
    runTimeoutSeconds: runTimeout === undefined ? undefined : wholeNumber('run-timeout', runTimeout, 1),
  };
}
