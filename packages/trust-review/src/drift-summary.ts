import type { DriftDirection, DriftLine } from './baseline.js';

/** At most this many lines per section, so the summary fits a pull request's description. */
const SECTION_LINES = 25;

const SECTIONS: ReadonlyArray<readonly [DriftDirection, string]> = [
  ['broadens', 'Broadens: grants more than the reviewed baseline'],
  ['changes', 'Changes a reviewer reads either way (conditions, network, state machines, task definitions)'],
  ['narrows', 'Narrows'],
];

/**
 * `npm run review -- --diff`: what changed since the committed baseline, in words and Markdown, broadening first,
 * short enough to paste into a pull request. A section longer than the cap says how many lines it left out.
 */
export function driftSummary(lines: readonly DriftLine[], findings: readonly string[]): string {
  const out = ['### Trust surface against `security/trust-baseline.json`', ''];
  if (findings.length > 0)
    out.push(`**Findings (${findings.length})**: the review fails until they are fixed.`, '', ...listed(findings), '');
  if (lines.length === 0) {
    out.push('No change since the reviewed baseline.');
    return `${out.join('\n')}\n`;
  }
  for (const [direction, title] of SECTIONS) {
    const section = lines.filter((l) => l.direction === direction).map((l) => l.text);
    if (section.length > 0) out.push(`**${title} (${section.length})**`, '', ...listed(section), '');
  }
  out.push('After review: `npm run review -- --accept`, and commit `security/trust-baseline.json` with the change.');
  return `${out.join('\n')}\n`;
}

function listed(items: readonly string[]): string[] {
  const shown = items.slice(0, SECTION_LINES).map((item) => `- ${item.replace(/`/g, "'")}`);
  const more = items.length - shown.length;
  return more > 0 ? [...shown, `- … and ${more} more (\`npm run review\` prints every line)`] : shown;
}
