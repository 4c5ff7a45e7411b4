import { describe, expect, it } from 'vitest';
import { closest, parseCommandLine, UsageError } from '../src/command-line.js';

const spec = { options: { json: { type: 'boolean' }, runs: { type: 'string' } }, maxPositionals: 1 } as const;

describe('parseCommandLine', () => {
  it('reads switches, values and positionals', () => {
    const line = parseCommandLine(['--json', '--runs', '3', 'file'], spec);
    expect([line.flag('json'), line.string('runs'), line.positionals]).toEqual([true, '3', ['file']]);
  });

  it.each([
    [['--jsno'], 'unknown option --jsno (did you mean --json?)'],
    [['--runs'], '--runs needs a value: --runs <value>'],
    [['--runs', '--json'], '--runs needs a value: --runs <value>'],
    [['--json=1'], '--json takes no value, got "1"'],
    [['a', 'b'], 'unexpected argument "b": at most 1 argument expected'],
  ])('fails when given %j', (argv, message) => {
    expect(() => parseCommandLine(argv, spec)).toThrow(new UsageError(message));
  });
});

describe('closest', () => {
  it('suggests a near word (a swap counts once) and nothing for a far one', () => {
    expect(closest('drfit', ['drift', 'deploy'])).toBe('drift');
    expect(closest('banana', ['drift', 'deploy'])).toBeUndefined();
  });
});
