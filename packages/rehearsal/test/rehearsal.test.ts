import { fileURLToPath } from 'node:url';
import { CONTAINER_NAMES, outputPostFields, urlSignerRoleArn, type OutputPost } from '@airlock/contracts';
import { loadEnvironment } from '@airlock/shared/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OVERRIDES_LENGTH } from '../src/aws/ecs/ecs-integrations.js';
import { ORCHESTRATION_BUDGET } from '../src/cost/cost-lines.js';
import { invariantViolations } from '../src/run/invariants.js';
import { SESSION_TOKEN_LENGTH } from '../src/iam/credentials.js';
import { Rehearsal, type RunOutcome } from '../src/run/rehearsal.js';
import { isolationProblems } from '../src/run/run-statistics.js';
import { archiveSubmission } from '../src/run/submission-archive.js';

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`).
const root = fileURLToPath(new URL('../../../', import.meta.url));
const env = loadEnvironment('example');
const example = fileURLToPath(new URL('../../../examples/submissions/hello/', import.meta.url));
/** The default tokens (2.6 KB): issue 12 asks that the launch request fit RunTask's overrides with 2.5 KB ones. */
const sessionTokenLength = SESSION_TOKEN_LENGTH;
let helloArchive: Buffer;
const hello = () => helloArchive;
beforeAll(async () => {
  helloArchive = await archiveSubmission(example);
});

describe('a rehearsed run of the example submission', () => {
  let rehearsal: Rehearsal;
  let outcome: RunOutcome;
  beforeAll(async () => {
    rehearsal = await Rehearsal.start({ root, env, sessionTokenLength });
    outcome = await rehearsal.submit(hello());
  });
  afterAll(() => rehearsal.close());

  it("succeeds through all nine states with the example's report under results/", async () => {
    expect(outcome.states.map((s) => s.name)).toEqual([
      'Start',
      'Prepare',
      'PrepareSucceeded',
      'ParseGrant',
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

  it('launched one task whose overrides fit RunTask, URLs only in fetch and deliver', () => {
    const [task] = rehearsal.sandbox.ecs.all();
    const post = JSON.parse(
      task?.overrides.find((o) => o.Name === 'deliver')?.Environment?.find((e) => e.Name === 'OUTPUT_POST')?.Value ??
        '{}',
    ) as OutputPost;
    expect(sessionTokenLength).toBeGreaterThanOrEqual(2560);
    expect(outputPostFields(post)['X-Amz-Security-Token']).toHaveLength(sessionTokenLength);
    expect(JSON.stringify({ ContainerOverrides: task?.overrides }).length).toBeLessThan(MAX_OVERRIDES_LENGTH);
    expect(task?.overrides.map((o) => [o.Name, (o.Environment ?? []).map((e) => e.Name).sort()])).toEqual([
      ['fetch', ['INPUT_URL', 'RUN_DEADLINE', 'RUN_ID']],
      ['run', ['RUN_DEADLINE']],
      ['deliver', ['OUTPUT_POST', 'RUN_ID']],
    ]);
  });

  it('counts the state transitions of both Standard workflows', () => {
    expect(outcome.transitions.analysis).toBe(outcome.states.length);
    expect(outcome.transitions.launch).toBeGreaterThan(0);
  });

  it('counts what AWS would bill the run for, within the orchestration budget', () => {
    const fn = { memoryMb: 512, architecture: 'arm64' };
    expect(outcome.usage).toEqual({
      standardTransitions: 11,
      // prepare, finalize, purge: one Express execution each, one Lambda invocation in each
      expressExecutions: [{ ms: expect.any(Number) }, { ms: expect.any(Number) }, { ms: expect.any(Number) }],
      lambdaInvocations: [
        { ms: expect.any(Number), ...fn },
        { ms: expect.any(Number), ...fn },
        { ms: expect.any(Number), ...fn },
      ],
      fargateTask: { vcpu: 0.5, memoryGb: 1, seconds: expect.any(Number), architecture: 'ARM64' },
      // writes: prepare's list and input PUT, the output POST, finalize's list and report PUT, purge's list;
      // reads: prepare's upload GET, the input GET, finalize's output GET (the deletes are free)
      s3: { writes: 6, reads: 3 },
      // as the data plane calls DynamoDB today: a change in its calls shows here
      dynamodb: { writeUnits: 5, readUnits: 2 },
      kmsRequests: 6,
    });
    expect(outcome.usage.standardTransitions).toBeLessThanOrEqual(ORCHESTRATION_BUDGET.transitions);
    expect(outcome.usage.lambdaInvocations.length).toBeLessThanOrEqual(ORCHESTRATION_BUDGET.lambdaInvocations);
    expect(outcome.cost.totalUsd).toBeGreaterThan(0);
  });

  // Each run starts three confined containers: slow on a shared 2-core machine.
  it('keeps ten concurrent runs apart', { timeout: 240_000 }, async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => rehearsal.submit(hello(), { captureKeys: false })),
    );
    // A failed run shows its record's reason and its containers' logs, so a failure under load says what went wrong.
    const failure = (o: RunOutcome) => {
      const task = rehearsal.sandbox.ecs.all().find((t) => t.startedBy === o.runId);
      const logs = CONTAINER_NAMES.map((name) => `${name}: ${task?.logs(name).trim() ?? 'no task'}`);
      return [`${o.status}: ${o.record?.reason}`, ...logs].join(' | ');
    };
    expect(outcomes.map((o) => (o.status === 'SUCCEEDED' ? o.status : failure(o)))).toEqual(
      Array(10).fill('SUCCEEDED'),
    );
    // Each run is priced from its own requests only, whatever ran beside it.
    expect(outcomes.map((o) => [o.usage.s3, o.usage.dynamodb, o.usage.expressExecutions.length])).toEqual(
      Array(10).fill([outcome.usage.s3, outcome.usage.dynamodb, 3]),
    );
    expect(isolationProblems(rehearsal, outcomes)).toEqual([]);
    expect(await rehearsal.keys('runs/')).toEqual([]);
  });
});

describe('RunTask overrides with session tokens too long to fit', () => {
  it('fail clearly before RunTask would when they do not fit, naming the length, and leave nothing behind', async () => {
    // Tokens long enough that GET + signed policy cannot fit: the refusal, not a silent truncation.
    const rehearsal = await Rehearsal.start({ root, env, sessionTokenLength: 4096 });
    try {
      const outcome = await rehearsal.submit(hello());
      expect(rehearsal.sandbox.ecs.refusals).toEqual([
        expect.stringMatching(
          /^RunTask of run-\S+: Container Overrides length must be at most 8192 \(the overrides are \d+ characters\)$/,
        ),
      ]);
      expect(outcome).toMatchObject({ status: 'FAILED', record: { status: 'FAILED' } });
      expect(await invariantViolations(rehearsal, outcome)).toEqual([]);
    } finally {
      await rehearsal.close();
    }
  });
});
