import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { instance } from '@viz-js/viz';
import type { AirlockEnvironment } from '@airlock/shared/environment';
import { synthesizeAccountApps } from '@airlock/shared/synthesize';
import { serializeBaseline } from './baseline.js';
import { guardrailFileName } from './guardrail-report.js';
import { guardrailText } from '@airlock/shared/organization-guardrails';
import { reportJson, reportMarkdown } from './report.js';
import { exitCodeOf, review, EXIT } from './review.js';
import { toDot } from './trust-graph.js';

/**
 * Synthesizes what is stale, reviews the three accounts against the baseline and writes
 * out/trust-review/{report.md,report.json,trust-graph.svg}; resolves to the exit code (0 clean, 1 findings, 2 drift).
 */
export async function runReview(
  env: AirlockEnvironment,
  root: string,
  { accept, json }: { readonly accept: boolean; readonly json: boolean },
): Promise<number> {
  const baselineFile = join(root, 'security', 'trust-baseline.json');
  const outDir = join(root, 'out', 'trust-review');
  // With --json, stdout carries the report alone; what a person reads goes to stderr.
  const say = (line: string) => (json ? console.error(line) : console.log(line));
  await synthesizeAccountApps(root);
  const result = await review(env, root, baselineFile);

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'report.md'), reportMarkdown(result));
  writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(reportJson(result), null, 2)}\n`);
  mkdirSync(join(outDir, 'guardrails'), { recursive: true });
  for (const g of result.guardrails) writeFileSync(join(outDir, 'guardrails', guardrailFileName(g)), guardrailText(g));
  writeFileSync(
    join(outDir, 'trust-graph.svg'),
    (await instance()).renderString(toDot(result.surface), { format: 'svg' }),
  );
  if (json) console.log(JSON.stringify(reportJson(result), null, 2));

  for (const f of result.findings) say(`✗ ${f.rule}: (${f.account}) ${f.subject}: ${f.message}`);
  const passed = result.simulation.filter((r) => r.passed).length;
  say(
    `trust review (${env.environment}): ${result.surface.roles.length} roles, simulation ${passed}/${result.simulation.length} as expected, ${result.findings.length} findings`,
  );
  say(
    `report: ${relative(process.cwd(), join(outDir, 'report.md'))}, picture: ${relative(process.cwd(), join(outDir, 'trust-graph.svg'))}`,
  );

  if (accept) {
    if (result.findings.length > 0) {
      console.error('not accepting a baseline with findings: fix them first');
      return EXIT.FINDINGS;
    }
    mkdirSync(join(root, 'security'), { recursive: true });
    writeFileSync(baselineFile, serializeBaseline(result.baseline));
    say(`baseline accepted: ${relative(process.cwd(), baselineFile)} (commit it; its diff is what the reviewer signs)`);
    return EXIT.CLEAN;
  }
  if (result.drift.length > 0) {
    say('≠ the trust surface differs from the reviewed baseline (+ added, - removed):');
    for (const d of result.drift) say(`  ${d}`);
    say('after review, run `npm run review -- --accept` and commit security/trust-baseline.json');
  }
  return exitCodeOf(result);
}
