import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadEnvironment } from '@airlock/shared/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultExpectationProblems, FAULTS, rehearseFault, type FaultRun } from '../src/run/faults.js';
import { SESSION_TOKEN_LENGTH } from '../src/iam/credentials.js';
import { Rehearsal, type RunOutcome } from '../src/run/rehearsal.js';
import { archiveSubmission } from '../src/run/submission-archive.js';

/**
 * The faults are split over this many test files (`faults-<shard>.test.ts`), so vitest runs them side by side: each
 * fault's runs spend most of their time waiting on containers held to the task's CPU share and on deadlines.
 */
export const FAULT_SHARDS = 2;

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`).
const root = fileURLToPath(new URL('../../../', import.meta.url));
const env = loadEnvironment('example');
const example = fileURLToPath(new URL('../../../examples/submissions/hello/', import.meta.url));
const sessionTokenLength = SESSION_TOKEN_LENGTH;

/** Every fault whose index in `FAULTS` is `shard` modulo `FAULT_SHARDS`, each in a rehearsal of its own. */
export function describeFaults(shard: number): void {
  if (shard === 0) {
    it(`has a test file for each of the ${FAULT_SHARDS} shards, so every fault is rehearsed`, () => {
      for (let k = 0; k < FAULT_SHARDS; k++)
        expect(
          existsSync(fileURLToPath(new URL(`./faults-${k}.test.ts`, import.meta.url))),
          `faults-${k}.test.ts`,
        ).toBe(true);
    });
  }

  describe.each(Object.entries(FAULTS).filter((_, i) => i % FAULT_SHARDS === shard))('fault %s', (_name, fault) => {
    let rehearsal: Rehearsal;
    let runs: FaultRun[];
    let outcomes: RunOutcome[];
    beforeAll(async () => {
      rehearsal = await Rehearsal.start({ root, env, sessionTokenLength, ...fault.options });
      runs = await rehearseFault(rehearsal, fault, await archiveSubmission(fault.submission ?? example));
      outcomes = runs.map((r) => r.outcome);
    }, 120_000);
    afterAll(() => rehearsal.close());

    it(`ends ${fault.expect.status}${fault.expect.error ? ` with ${fault.expect.error}` : ''}, the record saying why`, () => {
      const [outcome] = outcomes;
      expect(outcome?.status).toBe(fault.expect.status);
      if (fault.expect.error) expect(outcome?.error).toBe(fault.expect.error);
      if (fault.expect.reason)
        expect(outcome?.record).toEqual({
          status: 'FAILED',
          reason: expect.stringMatching(fault.expect.reason),
          ...(fault.expect.stderr ? { stderrTail: expect.stringMatching(fault.expect.stderr) } : {}),
        });
      expect(faultExpectationProblems(fault, outcomes, rehearsal)).toEqual([]);
    });

    it('leaves no run objects, no result for a failed run, no task or process, and nothing else changed', async () => {
      for (const run of runs) expect(run.violations).toEqual([]);
      expect(await rehearsal.keys('runs/')).toEqual([]);
    });

    for (const [i, followUp] of (fault.followUps ?? []).entries()) {
      it(`then ${followUp.describe}: ${followUp.expect.status}${followUp.expect.error ? ` with ${followUp.expect.error}` : ''}`, () => {
        expect(outcomes[i + 1]).toMatchObject({
          status: followUp.expect.status,
          ...(followUp.expect.error ? { error: followUp.expect.error } : {}),
        });
      });
    }

    const evidence = fault.expect.evidence;
    if (evidence) {
      it(evidence.describe, () => {
        expect(evidence.of(rehearsal)).toEqual(
          evidence.matches.map((m) => (typeof m === 'string' ? m : expect.stringMatching(m))),
        );
      });
    }
  });
}
