import { existsSync, readFileSync } from 'node:fs';
import type { AirlockEnvironment } from '@airlock/shared/environment';
import { baselineOf, describeDrift, type Baseline } from './baseline.js';
import type { ReviewResult } from './report.js';
import { runTrustRules, type Finding } from './rules/index.js';
import { simulationMatrix } from './simulation-matrix.js';
import { escalationMatrix } from './escalation-matrix.js';
import { guardrailMatrix } from './guardrail-matrix.js';
import { guardrailFindings } from './guardrail-size.js';
import { loadTrustSurface } from '@airlock/cloud-assembly';
import { endpointMatrix } from './endpoint-matrix.js';
import { organizationGuardrails } from '@airlock/shared/organization-guardrails';

/** Exit codes of `npm run review`. */
export const EXIT = { CLEAN: 0, FINDINGS: 1, DRIFT: 2 } as const;

/** Loads the three cloud assemblies, runs the checks and the simulation, and compares with the baseline file. */
export async function review(
  env: AirlockEnvironment,
  workspaceRoot: string,
  baselineFile: string,
): Promise<ReviewResult & { baseline: Baseline }> {
  const surface = loadTrustSurface(env, workspaceRoot);
  const guardrails = organizationGuardrails(env);
  const simulation = [
    ...(await simulationMatrix(surface)),
    ...(await escalationMatrix(surface)),
    ...(await guardrailMatrix(surface, guardrails)),
    ...(await endpointMatrix(surface)),
  ];
  const findings: Finding[] = [
    ...runTrustRules(surface),
    ...guardrailFindings(guardrails),
    ...simulation
      .filter((r) => !r.passed)
      .map((r) => ({
        rule: 'simulation',
        account: r.hop,
        subject: r.case,
        message: `${r.action} on ${r.resource} was ${r.actual}, expected ${r.expected}`,
      })),
  ];
  const baseline = baselineOf(surface, guardrails);
  const drift = existsSync(baselineFile)
    ? describeDrift(JSON.parse(readFileSync(baselineFile, 'utf8')) as Baseline, baseline)
    : [`no reviewed baseline at ${baselineFile}: review report.md, then run \`npm run review -- --accept\``];
  return { surface, guardrails, simulation, findings, drift, baseline };
}

export const exitCodeOf = (result: Pick<ReviewResult, 'findings' | 'drift'>): number =>
  result.findings.length > 0 ? EXIT.FINDINGS : result.drift.length > 0 ? EXIT.DRIFT : EXIT.CLEAN;
