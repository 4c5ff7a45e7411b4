import { appendFileSync } from 'node:fs';
import { formatLine, PROBE_CLAIMS_NOTE, type CheckLine } from './check-line.js';

/** What a failing canary tells the job summary to look at, one finding a line. */
export function summaryMarkdown(environment: string, target: string, lines: readonly CheckLine[]): string {
  const failed = lines.filter((l) => l.verdict === 'FAIL');
  return [
    `## Canary of "${environment}" (${target}): ${failed.length === 0 ? 'passed' : `${failed.length} finding(s)`}`,
    '',
    ...(failed.length > 0
      ? [
          'Look at each finding below: a FAIL of a probe line means untrusted code reached what the design says it must not;',
          'a failed run names its reason (the run record); leftovers under `runs/` mean Purge did not finish.',
          '',
        ]
      : []),
    '```',
    ...lines.map(formatLine),
    '```',
    '',
    PROBE_CLAIMS_NOTE,
  ].join('\n');
}

/** Appends the report to GitHub's job summary when the canary runs in a workflow. */
export function writeJobSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, `${markdown}\n`);
}
