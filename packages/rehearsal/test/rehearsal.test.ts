import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadEnvironment } from '@airlock/shared/environment';
import { uploadObjectKey } from '@airlock/shared/data-keys';
import { tarGz } from '@airlock/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS } from '../src/run/faults.js';
import { invariantViolations } from '../src/run/invariants.js';
import { Rehearsal, type RunOutcome } from '../src/run/rehearsal.js';
import { isolationProblems } from '../src/run/run-statistics.js';

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`).
const root = fileURLToPath(new URL('../../../', import.meta.url));
const env = loadEnvironment('example');
const example = fileURLToPath(new URL('../../../examples/submissions/hello/', import.meta.url));
const hello = () =>
  tarGz(
    ['airlock.json', 'main.mjs', 'sample/README.md', 'sample/util.py'].map((path) => ({
      path,
      content: readFileSync(`${example}${path}`, 'utf8'),
    })),
  );

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
        expect.stringMatching(/PrepareRole.* → .*UrlSigner/),
      ]),
    );
    expect(rehearsal.authorizer.decisions.filter((d) => !d.allowed)).toEqual([]);
  });

  it('let the runner read only its own input and write only its own output, with the presigned URLs', () => {
    const runner = rehearsal.accesses.filter((a) => a.roleArn.includes('UrlSigner'));
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

describe.each(Object.entries(FAULTS))('fault %s', (name, fault) => {
  let rehearsal: Rehearsal;
  let outcome: RunOutcome;
  beforeAll(async () => {
    rehearsal = await Rehearsal.start({ root, env, ...fault.options });
    outcome = await rehearsal.submit(fault.archive?.() ?? hello(), {
      ...(fault.beforeRun === 'delete-upload'
        ? { beforeRun: async ({ submissionId }) => void (await rehearsal.deleteObject(uploadObjectKey(submissionId))) }
        : {}),
    });
  });
  afterAll(() => rehearsal.close());

  it(`ends ${fault.expect.status}${fault.expect.error ? ` with ${fault.expect.error}` : ''}, the record saying why`, () => {
    expect(outcome.status).toBe(fault.expect.status);
    if (fault.expect.error) expect(outcome.error).toBe(fault.expect.error);
    if (fault.expect.reason)
      expect(outcome.record).toEqual({ status: 'FAILED', reason: expect.stringMatching(fault.expect.reason) });
  });

  it('leaves no run objects, no result for a failed run, and nothing else changed', async () => {
    expect(await invariantViolations(rehearsal, outcome)).toEqual([]);
    expect(await rehearsal.keys('runs/')).toEqual([]);
  });

  if (name === 'cross-run-access') {
    it("refuses the other run's input and output", () => {
      expect(rehearsal.accesses.filter((a) => !a.allowed).map((a) => [a.key, a.reason])).toEqual([
        [
          'runs/another-run/input.tar.gz',
          'The request signature we calculated does not match the signature you provided.',
        ],
        ['', expect.stringMatching(/^Invalid according to Policy: Policy Condition failed: \{"key":"runs\/run-/)],
      ]);
    });
  }
  if (name === 'output-oversized') {
    it("refuses the upload at the POST policy's content-length-range", () => {
      expect(rehearsal.accesses.filter((a) => !a.allowed).map((a) => a.reason)).toEqual([
        'Your proposed upload exceeds the maximum allowed size',
      ]);
    });
  }
  if (name === 'sandbox-trust-broken') {
    it('denies the orchestrator the sandbox launcher role, and only that', () => {
      expect(rehearsal.authorizer.decisions.filter((d) => !d.allowed).map((d) => [d.action, d.resource])).toEqual([
        ['sts:AssumeRole', 'arn:aws:iam::222222222222:role/airlock-example-sandbox-launcher'],
      ]);
    });
  }
  if (name === 'ecs-throttles') {
    it('retried RunTask through the throttling: three attempts, each assuming the launcher role again', () => {
      const launcher = rehearsal.authorizer.decisions.filter(
        (d) => d.action === 'sts:AssumeRole' && d.resource.endsWith('sandbox-launcher'),
      );
      // One for LoadSandboxConfig, three for RunUntrusted (two throttled, one through).
      expect(launcher).toHaveLength(4);
      expect(rehearsal.authorizer.decisions.filter((d) => d.action === 'ecs:RunTask')).toHaveLength(1);
    });
  }
});
