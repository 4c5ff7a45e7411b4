import { runPrefix } from '@airlock/contracts';
import type { Rehearsal, RunOutcome } from './rehearsal.js';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * Cross-run isolation over many runs: every object request made with a run's presigned URLs (signer sessions,
 * narrowed to one run) stayed inside that run's prefix and came through the sandbox's network, and every report
 * names its own run.
 */
export function isolationProblems(rehearsal: Rehearsal, outcomes: readonly RunOutcome[]): string[] {
  const problems: string[] = [];
  const signerRuns = new Map<string, string>();
  for (const access of rehearsal.accesses) {
    if (!access.key.startsWith('runs/')) continue;
    const run = access.key.split('/')[1] ?? '';
    const seen = signerRuns.get(access.accessKeyId);
    if (seen && seen !== run)
      problems.push(`credentials ${access.accessKeyId} touched ${runPrefix(seen)} and ${runPrefix(run)}`);
    if (!seen && access.roleArn === rehearsal.artifacts.signerRoleArn) signerRuns.set(access.accessKeyId, run);
    if (access.allowed && access.via !== 'sandbox endpoint' && access.roleArn === rehearsal.artifacts.signerRoleArn)
      problems.push(`a presigned ${access.action} of ${access.key} was allowed from outside the sandbox's network`);
  }
  for (const o of outcomes) {
    const reportRun = (o.result as { runId?: string } | undefined)?.runId;
    if (o.status === 'SUCCEEDED' && reportRun !== o.runId)
      problems.push(`run ${o.runId} got the report of ${String(reportRun)}`);
  }
  return problems;
}
