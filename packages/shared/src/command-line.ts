import { parseArgs } from 'node:util';

/** Wrong input on a command line: the tool prints the message and its usage and exits 2, without a stack trace. */
export class UsageError extends Error {}

/** Exit code of every Airlock command for a command line it does not accept. */
export const USAGE_EXIT_CODE = 2;

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
}

export interface CommandLineSpec {
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** How many positional arguments the command takes at most. @default 0 */
  readonly maxPositionals?: number;
}

export interface CommandLine {
  readonly positionals: readonly string[];
  /** The value of a string option, if given. */
  string(name: string): string | undefined;
  /** Whether a switch was given. */
  flag(name: string): boolean;
}

/** Edit distance between two words: insertions, deletions, substitutions and swaps of neighbours each count 1. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i += 1)
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] ?? [])[j] = best;
    }
  return at(a.length, b.length);
}

/** The closest candidate to a mistyped word, if one is close enough to be what was meant. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const ranked = candidates
    .map((candidate) => ({ candidate, distance: editDistance(word, candidate) }))
    .sort((x, y) => x.distance - y.distance);
  const best = ranked[0];
  return best && best.distance <= Math.max(1, Math.floor(word.length / 3)) ? best.candidate : undefined;
}

/** ` (did you mean X?)` when a candidate is close to `word`, else nothing. */
export const didYouMean = (word: string, candidates: readonly string[], show = (c: string) => c): string => {
  const match = closest(word, candidates);
  return match ? ` (did you mean ${show(match)}?)` : '';
};

/**
 * Parses `argv` against `spec`; throws a UsageError naming the first problem: an unknown or misspelled option (with a
 * suggestion), a missing value, a value given to a switch, or an argument the command does not take.
 */
export function parseCommandLine(argv: readonly string[], spec: CommandLineSpec): CommandLine {
  const { tokens } = parseArgs({
    args: [...argv],
    options: spec.options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const names = Object.keys(spec.options);
  const values: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const option = spec.options[token.name];
    if (!option)
      throw new UsageError(`unknown option ${token.rawName}${didYouMean(token.name, names, (n) => `--${n}`)}`);
    if (option.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`--${token.name} takes no value, got "${token.value}"`);
      values[token.name] = true;
      continue;
    }
    // `--submission --json` would otherwise take "--json" as the submission.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))
      throw new UsageError(`--${token.name} needs a value: --${token.name} <value>`);
    values[token.name] = token.value;
  }
  const max = spec.maxPositionals ?? 0;
  if (positionals.length > max)
    throw new UsageError(
      max === 0
        ? `unexpected argument "${positionals[0]}": this command takes options only`
        : `unexpected argument "${positionals[max]}": at most ${max} argument${max === 1 ? '' : 's'} expected`,
    );
  return {
    positionals,
    string: (name) => (typeof values[name] === 'string' ? values[name] : undefined),
    flag: (name) => values[name] === true,
  };
}

/** Prints a UsageError with the usage to stderr and returns the usage exit code; rethrows anything else. */
export function reportUsageError(tool: string, usage: string, error: unknown): number {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${tool}: ${error.message}\n\n${usage}\n`);
  return USAGE_EXIT_CODE;
}
