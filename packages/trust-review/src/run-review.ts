import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AirlockEnvironment } from '@airlock/shared/environment';
import { synthesizeAccountApps } from '@airlock/shared/synthesize';
import { driftLines, serializeBaseline, type Baseline } from './baseline.js';
import { driftSummary } from './drift-summary.js';
import { guardrailFileName } from './guardrail-report.js';
import { guardrailText } from '@airlock/shared/organization-guardrails';
import { reportJson, reportMarkdown } from './report.js';
import { exitCodeOf, review, EXIT } from './review.js';
import { toSvg } from './trust-graph.js';
import { reportedQuestions, whoCan, whoCanLines } from './who-can.js';
import { loadTrustSurface } from '@airlock/cloud-assembly';

/**
 * Synthesizes what is stale, reviews the three accounts against the baseline and writes
 * out/trust-review/{report.md,report.json,trust-graph.svg}; resolves to the exit code (0 clean, 1 findings, 2 drift).
 */
export async function runReview(
  env: AirlockEnvironment,
  root: string,
  { accept, json, diff }: { readonly accept: boolean; readonly json: boolean; readonly diff: boolean },
): Promise<number> {
  const baselineFile = join(root, 'security', 'trust-baseline.json');
  const outDir = join(root, 'out', 'trust-review');
  // With --json or --diff, stdout carries that alone; what a person reads goes to stderr.
  const say = (line: string) => (json || diff ? console.error(line) : console.log(line));
  await synthesizeAccountApps(root);
  const result = await review(env, root, baselineFile);

  const answers = [];
  for (const { action, resource } of reportedQuestions(result.surface))
    answers.push(await whoCan(result.surface, action, resource));

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'report.md'), reportMarkdown(result, answers));
  writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(reportJson(result, answers), null, 2)}\n`);
  mkdirSync(join(outDir, 'guardrails'), { recursive: true });
  for (const g of result.guardrails) writeFileSync(join(outDir, 'guardrails', guardrailFileName(g)), guardrailText(g));
  writeFileSync(join(outDir, 'trust-graph.svg'), await toSvg(result.surface, result.guardrails));
  if (json) console.log(JSON.stringify(reportJson(result, answers), null, 2));
  if (diff) {
    const reviewed = existsSync(baselineFile)
      ? (JSON.parse(readFileSync(baselineFile, 'utf8')) as Baseline)
      : { ...result.baseline, roles: [], crossAccountEdges: [], managedPolicies: [], resourcePolicies: [] };
    const findings = result.findings.map((f) => `${f.rule}: (${f.account}) ${f.subject}: ${f.message}`);
    process.stdout.write(driftSummary(driftLines(reviewed, result.baseline), findings));
  }

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

/** `npm run review -- who-can <action> <resource>`: synthesizes what is stale, then answers from the templates. */
export async function runWhoCan(
  env: AirlockEnvironment,
  root: string,
  action: string,
  resource: string,
): Promise<number> {
  await synthesizeAccountApps(root);
  const answer = await whoCan(loadTrustSurface(env, root), action, resource);
  console.log(whoCanLines(answer).join('\n'));
  for (const note of answer.notModeled) console.log(`  (not modeled: ${note})`);
  return EXIT.CLEAN;
}
