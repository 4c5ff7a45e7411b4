import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SUBMISSION_LIMITS, TASK_START_MARGIN_SECONDS } from '../src/index.js';

// The README's "Writing a submission" table, read as a submission's author reads it.
const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
const example = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../shared/environments/example.json', import.meta.url)), 'utf8'),
) as { run: { timeoutSeconds: number } };

/** The rows of the first table under "Writing a submission" whose header is limit | value | constant. */
function limitsTable(): Map<string, { value: string; constant: string }> {
  const section = readme.slice(readme.indexOf('## Writing a submission'));
  const lines = section.split('\n');
  const cells = (line: string) =>
    line
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split('|')
      .map((cell) => cell.trim());
  const header = lines.findIndex((line) => cells(line).join(',') === 'limit,value,constant');
  if (header < 0) throw new Error('README.md: "Writing a submission" has no "| limit | value | constant |" table');
  const rows = lines.slice(header + 2).filter((_, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('|')));
  return new Map(
    rows.map((row) => {
      const [name = '', value = '', constant = ''] = cells(row);
      return [name, { value, constant }];
    }),
  );
}

const KiB = 1024;
const MiB = 1024 * KiB;
const { archive } = SUBMISSION_LIMITS;
const RUN_TIME = example.run.timeoutSeconds;
/** What each row must say, from the constants: a README edit or a constant change alone fails here. */
const EXPECTED: Record<string, RegExp> = {
  'archive size': new RegExp(`^${archive.maxArchiveBytes / MiB} MiB compressed$`),
  'archive entries': new RegExp(`^${archive.maxEntries.toLocaleString('en-US')}$`),
  'unpacked size': new RegExp(`^${archive.maxTotalBytes / MiB} MiB in total$`),
  'path length': new RegExp(`^${archive.maxPathLength} characters$`),
  'result size': new RegExp(`^${SUBMISSION_LIMITS.maxResultBytes / KiB} KiB of JSON`),
  'output tail': new RegExp(`^the last ${SUBMISSION_LIMITS.outputTailBytes / KiB} KiB of each of stdout and stderr$`),
  'output.json': new RegExp(`^${SUBMISSION_LIMITS.maxOutputBytes / KiB} KiB \\(`),
  'run time': new RegExp(
    `^\`run.timeoutSeconds\` \\(${RUN_TIME} s in \`example\`\\): killed ${SUBMISSION_LIMITS.uploadReserveSeconds} s before the run's deadline, which is ${TASK_START_MARGIN_SECONDS} s \\+ \`run.timeoutSeconds\` after prepare, so at least \`run.timeoutSeconds\` − ${SUBMISSION_LIMITS.uploadReserveSeconds} s when Fargate starts the task within those ${TASK_START_MARGIN_SECONDS} s`,
  ),
};

describe("the README's submission limits", () => {
  const table = limitsTable();

  it('name exactly the limits the contracts define', () => {
    expect([...table.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))("%s: the figure is the constant's", (name, expected) => {
    expect(table.get(name)?.value).toMatch(expected);
  });

  it('point at constants that exist', () => {
    const constants = [...table.values()].flatMap(({ constant }) => constant.match(/`[^`]+`/g) ?? []);
    for (const quoted of constants) {
      const path = quoted.slice(1, -1);
      const value =
        path === 'TASK_START_MARGIN_SECONDS'
          ? TASK_START_MARGIN_SECONDS
          : path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown>)?.[key], SUBMISSION_LIMITS);
      expect(typeof value, `${path} in the README's table`).toBe('number');
    }
  });
});
