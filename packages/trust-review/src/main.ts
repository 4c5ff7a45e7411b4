import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instance } from '@viz-js/viz';
import { ConfigError, loadEnvironment, selectEnvironmentName } from '@airlock/shared/environment';
import { serializeBaseline } from './baseline.js';
import { reportJson, reportMarkdown } from './report.js';
import { exitCodeOf, review, EXIT } from './review.js';
import { toDot } from './trust-graph.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const BASELINE = join(root, 'security', 'trust-baseline.json');
const OUT = join(root, 'out', 'trust-review');

// `npm run review [-- --accept]`: writes out/trust-review/{report.md,report.json,trust-graph.svg}; exits 0 clean,
// 1 findings, 2 baseline drift. --accept rewrites the baseline (only when there are no findings).
async function main(): Promise<number> {
  const accept = process.argv.includes('--accept');
  const env = loadEnvironment(selectEnvironmentName(undefined));
  const result = await review(env, root, BASELINE);

  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'report.md'), reportMarkdown(result));
  writeFileSync(join(OUT, 'report.json'), `${JSON.stringify(reportJson(result), null, 2)}\n`);
  writeFileSync(
    join(OUT, 'trust-graph.svg'),
    (await instance()).renderString(toDot(result.surface), { format: 'svg' }),
  );

  for (const f of result.findings) console.log(`✗ ${f.rule}: (${f.account}) ${f.subject}: ${f.message}`);
  const passed = result.simulation.filter((r) => r.passed).length;
  console.log(
    `trust review (${env.environment}): ${result.surface.roles.length} roles, simulation ${passed}/${result.simulation.length} as expected, ${result.findings.length} findings`,
  );
  console.log(
    `report: ${relative(process.cwd(), join(OUT, 'report.md'))}, picture: ${relative(process.cwd(), join(OUT, 'trust-graph.svg'))}`,
  );

  if (accept) {
    if (result.findings.length > 0) {
      console.error('not accepting a baseline with findings: fix them first');
      return EXIT.FINDINGS;
    }
    mkdirSync(join(root, 'security'), { recursive: true });
    writeFileSync(BASELINE, serializeBaseline(result.baseline));
    console.log(
      `baseline accepted: ${relative(process.cwd(), BASELINE)} (commit it; its diff is what the reviewer signs)`,
    );
    return EXIT.CLEAN;
  }
  for (const d of result.drift) console.log(`≠ baseline: ${d}`);
  if (result.drift.length > 0)
    console.log('the trust surface differs from the reviewed baseline: after review, run `npm run review -- --accept`');
  return exitCodeOf(result);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`trust review: ${error.message}`);
    process.exitCode = EXIT.FINDINGS;
  },
);
