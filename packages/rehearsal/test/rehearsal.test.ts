import { fileURLToPath } from 'node:url';
import { urlSignerRoleArn } from '@airlock/contracts';
import { loadEnvironment } from '@airlock/shared/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultExpectationProblems, FAULTS } from '../src/run/faults.js';
import { invariantViolations } from '../src/run/invariants.js';
import { Rehearsal, type RunOutcome } from '../src/run/rehearsal.js';
import { isolationProblems } from '../src/run/run-statistics.js';
import { archiveSubmission } from '../src/run/submission-archive.js';

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`).
const root = fileURLToPath(new URL('../../../', import.meta.url));
const env = loadEnvironment('example');
const example = fileURLToPath(new URL('../../../examples/submissions/hello/', import.meta.url));
let helloArchive: Buffer;
const hello = () => helloArchive;
beforeAll(async () => {
  helloArchive = await archiveSubmission(example);
});

describe('a rehearsed run of the example submission', () => {
  let rehearsal: Rehearsal;
  let outcome: RunOutcome;
  beforeAll(async () => {
    rehearsal = await Rehearsal.start({ root, env });
    outcome = await rehearsal.submit(hello());
  });
  afterAll(() => rehearsal.close());

  it("succeeds through all ten states with the example's report under results/", async () => {
    expect(outcome.states.map((s) => s.name)).toEqual([
      'Start',
      'Prepare',
      'PrepareSucceeded',
      'ParseGrant',
      'LoadSandboxConfig',
      'RunUntrusted',
      'Finalize',
      'Purge',
      'Outcome',
      'Done',
    ]);
    expect(outcome).toMatchObject({
      status: 'SUCCEEDED',
      resultKey: `results/${outcome.runId}/report.json`,
      record: { status: 'SUCCEEDED' },
    });
    expect(outcome.result).toMatchObject({
      runId: outcome.runId,
      result: { languages: { JavaScript: { files: 1 }, Python: { files: 1, lines: 3 } } },
    });
    expect(await invariantViolations(rehearsal, outcome)).toEqual([]);
  });

  it('authorized both cross-account hops, as the orchestrator execution role with the ExternalId', () => {
    const assumed = rehearsal.authorizer.decisions
      .filter((d) => d.action === 'sts:AssumeRole' && d.allowed)
      .map((d) => `${d.principal} → ${d.resource}`);
    expect(new Set(assumed)).toEqual(
      new Set([
        'arn:aws:iam::111111111111:role/airlock-example-orchestrator → arn:aws:iam::333333333333:role/airlock-example-data-invoker',
        'arn:aws:iam::111111111111:role/airlock-example-orchestrator → arn:aws:iam::222222222222:role/airlock-example-sandbox-launcher',
        expect.stringMatching(new RegExp(`PrepareRole.* → ${urlSignerRoleArn(env)}$`)),
      ]),
    );
    expect(rehearsal.authorizer.decisions.filter((d) => !d.allowed)).toEqual([]);
  });

  it('let the runner read only its own input and write only its own output, with the presigned URLs', () => {
    const runner = rehearsal.accesses.filter((a) => a.roleArn === urlSignerRoleArn(env));
    expect(runner.map((a) => [a.action, a.key, a.allowed])).toEqual([
      ['s3:GetObject', `runs/${outcome.runId}/input.tar.gz`, true],
      ['s3:PutObject', `runs/${outcome.runId}/output.json`, true],
    ]);
  });

  it('keeps ten concurrent runs apart', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => rehearsal.submit(hello(), { captureKeys: false })),
    );
    expect(outcomes.map((o) => o.status)).toEqual(Array(10).fill('SUCCEEDED'));
    expect(isolationProblems(rehearsal, outcomes)).toEqual([]);
    expect(await rehearsal.keys('runs/')).toEqual([]);
  });
});

describe.each(Object.entries(FAULTS))('fault %s', (_name, fault) => {
  let rehearsal: Rehearsal;
  let outcome: RunOutcome;
  beforeAll(async () => {
    rehearsal = await Rehearsal.start({ root, env, ...fault.options });
    const beforeRun = fault.beforeRun;
    outcome = await rehearsal.submit(await archiveSubmission(fault.submission ?? example), {
      ...(beforeRun ? { beforeRun: (ids) => beforeRun(rehearsal, ids) } : {}),
    });
  });
  afterAll(() => rehearsal.close());

  it(`ends ${fault.expect.status}${fault.expect.error ? ` with ${fault.expect.error}` : ''}, the record saying why`, () => {
    expect(outcome.status).toBe(fault.expect.status);
    if (fault.expect.error) expect(outcome.error).toBe(fault.expect.error);
    if (fault.expect.reason)
      expect(outcome.record).toEqual({ status: 'FAILED', reason: expect.stringMatching(fault.expect.reason) });
    expect(faultExpectationProblems(fault, outcome, rehearsal)).toEqual([]);
  });

  it('leaves no run objects, no result for a failed run, and nothing else changed', async () => {
    expect(await invariantViolations(rehearsal, outcome)).toEqual([]);
    expect(await rehearsal.keys('runs/')).toEqual([]);
  });

  const evidence = fault.expect.evidence;
  if (evidence) {
    it(evidence.describe, () => {
      expect(evidence.of(rehearsal)).toEqual(
        evidence.matches.map((m) => (typeof m === 'string' ? m : expect.stringMatching(m))),
      );
    });
  }
});
