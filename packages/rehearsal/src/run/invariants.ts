import { resultReportKey, runPrefix } from '@airlock/contracts';
import type { Rehearsal, RunOutcome } from './rehearsal.js';

/**
 * I8 after a run, checked on the local stores: nothing left under `runs/<runId>/`, no result for a failed run, a
 * record that says why, no object outside the run's own prefixes changed, no task or process of one left on
 * this machine, and every object event delivered to the late-object sweeper. Returns the violations.
 */
export async function invariantViolations(rehearsal: Rehearsal, outcome: RunOutcome): Promise<string[]> {
  const keysBefore = outcome.keysBefore;
  const problems: string[] = [];
  const keys = await rehearsal.keys();
  const leftovers = keys.filter((k) => k.startsWith(runPrefix(outcome.runId)));
  if (leftovers.length > 0) problems.push(`objects left under ${runPrefix(outcome.runId)}: ${leftovers.join(', ')}`);
  const report = resultReportKey(outcome.runId);
  if (outcome.status === 'FAILED') {
    if (keys.includes(report)) problems.push(`a failed run left a result at ${report}`);
    if (outcome.record?.status !== 'FAILED' || !outcome.record.reason)
      problems.push(`the run record does not say why it failed: ${JSON.stringify(outcome.record)}`);
  } else if (!keys.includes(report)) {
    problems.push(`a successful run has no result at ${report}`);
  }
  // The run's own report key is judged above (a forged report found there is removed, as it must be).
  const expected = new Set([...keysBefore, ...(outcome.status === 'SUCCEEDED' ? [report] : [])]);
  const changed = [
    ...keys.filter((k) => !expected.has(k)),
    ...keysBefore.filter((k) => !keys.includes(k) && k !== report),
  ];
  if (changed.length > 0) problems.push(`objects outside the run changed: ${changed.join(', ')}`);
  const { ecs } = rehearsal.sandbox;
  const running = ecs.running();
  if (running.length > 0) problems.push(`tasks still running: ${running.map((t) => t.arn).join(', ')}`);
  const processes = ecs.remainingProcesses();
  if (processes.length > 0) problems.push(`processes of a task still alive: ${processes.join(', ')}`);
  // An object event nobody handled means a late object may have stayed unswept.
  const undelivered = rehearsal.dataEvents.failures;
  if (undelivered.length > 0) problems.push(`object events not delivered: ${undelivered.join('; ')}`);
  return problems;
}
