import './aws/stepfunctions/polyfill.js';
import { fileURLToPath } from 'node:url';
import type { AirlockEnvironment } from '@airlock/shared/environment';
import type { RehearsalCommandLine } from './command-line.js';
import type { StateTiming } from './aws/stepfunctions/standard-engine.js';
import { faultExpectationProblems, FAULTS, rehearseFault } from './run/faults.js';
import { invariantViolations } from './run/invariants.js';
import { MAX_OVERRIDES_LENGTH, overridesLength } from './aws/ecs/ecs-integrations.js';
import { SESSION_TOKEN_LENGTH } from './iam/credentials.js';
import { Rehearsal, runTimeoutEnvironment, type RunOutcome } from './run/rehearsal.js';
import {
  causeChain,
  refusedRequests,
  stateLines,
  submissionOutputLines,
  type RefusedRequest,
} from './run/run-report.js';
import { closeOnSignal } from './run/close-on-signal.js';
import { showElapsed } from './run/elapsed.js';
import { terminalSafe } from '@airlock/shared/terminal-text';
import { isolationProblems, percentile } from './run/run-statistics.js';
import { archiveSubmission, EXAMPLE_SUBMISSION } from './run/submission-archive.js';
import { ATTACKS, rehearseAttack, stoppedBy } from './run/attacks.js';
import { childrenCpuMs, confinementOrFail } from './confinement/index.js';
import { measureConfinementCost } from './run/confinement-cost.js';
import { confinementLine, unconfinedRefusal } from './run/confinement-policy.js';
import { costLines } from './cost/cost-lines.js';
import { PRICE_TABLE } from './cost/price-table.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** Rehearses what the command line asked for in `env`, from the synthesized cloud assemblies; resolves to the exit code. */
export async function rehearse(values: RehearsalCommandLine, env: AirlockEnvironment): Promise<number> {
  const fault = values.fault ? FAULTS[values.fault] : undefined;
  const { runs, concurrency, sessionTokenLength: tokenLength } = values;
  const say = (line: string) => {
    if (!values.json) console.log(line);
  };
  // Throws when AIRLOCK_REQUIRE_CONFINEMENT=1 and this machine cannot confine.
  const confinement = confinementOrFail();
  const refusal = unconfinedRefusal(confinement, values);
  if (refusal) {
    console.error(refusal);
    return 2;
  }

  const { runTimeoutSeconds } = values;
  if (runTimeoutSeconds !== undefined && runTimeoutSeconds > env.run.timeoutSeconds) {
    console.error(
      `--run-timeout ${runTimeoutSeconds} is longer than environment "${env.environment}" allows (run.timeoutSeconds ${env.run.timeoutSeconds}): it can only shorten the run; the task definition caps the deadline`,
    );
    return 2;
  }

  const archive = await archiveSubmission(fault?.submission ?? values.submission ?? EXAMPLE_SUBMISSION);
  const prepareEnvironment = {
    ...fault?.options?.prepareEnvironment,
    ...(runTimeoutSeconds === undefined ? {} : runTimeoutEnvironment(runTimeoutSeconds)),
  };
  const rehearsal = await Rehearsal.start({
    root,
    env,
    ...(tokenLength === undefined ? {} : { sessionTokenLength: tokenLength }),
    ...fault?.options,
    prepareEnvironment,
  });
  // Ctrl-C or SIGTERM from here on stops the task, ends every process of it and removes the rehearsal's files.
  const releaseSignals = closeOnSignal(() => rehearsal.close());
  try {
    say(confinementLine(rehearsal.confinement));
    if (values.attack)
      return await attacks(rehearsal, values.attack === 'all' ? Object.keys(ATTACKS) : [values.attack], values.json);
    if (runs > 1) return await benchmark(rehearsal, archive, runs, concurrency, values.json, say);

    say(
      `Rehearsing one run of ${values.submission ?? 'examples/submissions/hello'} in environment "${env.environment}"${fault ? `, with fault ${values.fault}: ${fault.describe}` : ''}${runTimeoutSeconds === undefined ? '' : `, the submission killed after about ${runTimeoutSeconds} s (--run-timeout)`}`,
    );
    // Progress goes to stderr, and only to a terminal: stdout stays the summary (--json) or the state lines.
    const duringLaunch = process.stderr.isTTY ? showElapsed(process.stderr) : undefined;
    const onState = (t: StateTiming) => {
      if (duringLaunch) process.stderr.write('\r\x1b[K');
      stateLines(t).forEach(say);
    };
    const faultRuns = fault
      ? await rehearseFault(rehearsal, fault, archive, onState, duringLaunch)
      : await Promise.all(
          [await rehearsal.submit(archive, { onState, ...(duringLaunch ? { duringLaunch } : {}) })].map(
            async (outcome) => ({
              outcome,
              violations: await invariantViolations(rehearsal, outcome),
            }),
          ),
        );
    const [outcome, ...followUps] = faultRuns.map((r) => r.outcome);
    if (!outcome) throw new Error('the rehearsal made no run');
    const violations = faultRuns.flatMap((r) => r.violations.map((v) => `run ${r.outcome.runId}: ${v}`));
    const refused = refusedRequests(rehearsal);
    const hops = [
      ...new Set(
        rehearsal.authorizer.decisions
          .filter((d) => d.action === 'sts:AssumeRole' && d.allowed)
          .map((d) => `${d.principal} → ${d.resource}`),
      ),
    ];
    const expectation = fault
      ? faultExpectationProblems(fault, [outcome, ...followUps], rehearsal)
      : outcome.status === 'SUCCEEDED'
        ? []
        : [`the run ${outcome.status}`];
    const summary = {
      ...outcome,
      keysBefore: undefined,
      fault: values.fault ?? null,
      followUps: followUps.map((o) => ({ ...o, keysBefore: undefined })),
      causeChain: causeChain(outcome),
      hops,
      refusedRequests: refused,
      ecsRefusals: rehearsal.sandbox.ecs.refusals,
      invariantViolations: violations,
      expectationProblems: expectation,
      confinement: rehearsal.confinement,
    };
    if (values.json) console.log(JSON.stringify(summary, null, 2));
    else {
      printSummary(outcome, followUps, hops, refused, rehearsal.sandbox.ecs.refusals, violations, expectation);
      const lengths = rehearsal.sandbox.ecs.all().map((t) => overridesLength({ ContainerOverrides: t.overrides }));
      if (lengths.length > 0)
        console.log(
          `  RunTask overrides: ${Math.max(...lengths)} of ${MAX_OVERRIDES_LENGTH} characters, with ${tokenLength ?? SESSION_TOKEN_LENGTH}-character session tokens`,
        );
    }
    return violations.length === 0 && expectation.length === 0 ? 0 : 1;
  } finally {
    await rehearsal.close();
    releaseSignals();
  }
}

function printSummary(
  outcome: RunOutcome,
  followUps: readonly RunOutcome[],
  hops: string[],
  refused: readonly RefusedRequest[],
  ecsRefusals: readonly string[],
  violations: string[],
  expectation: string[],
): void {
  console.log('');
  console.log(`${outcome.status}  run ${outcome.runId} (submission ${outcome.submissionId}) in ${outcome.ms} ms`);
  console.log(
    `  state transitions: ${outcome.transitions.analysis} in the analysis workflow, ${outcome.transitions.launch} in the launch workflow`,
  );
  for (const line of costLines(outcome.cost, outcome.usage)) console.log(`  ${line}`);
  const [why, ...causes] = causeChain(outcome);
  if (why) console.log(`  ✗ ${terminalSafe(why)}`);
  for (const cause of causes) console.log(`    ← ${terminalSafe(cause)}`);
  for (const line of outcome.status === 'SUCCEEDED' ? [] : submissionOutputLines(outcome)) console.log(line);
  if (outcome.resultKey)
    console.log(
      `  result s3://…/${outcome.resultKey}:\n${JSON.stringify(outcome.result, null, 2).replace(/^/gm, '    ')}`,
    );
  for (const o of followUps)
    console.log(
      `  then ${o.status}  run ${o.runId}${o.error ? ` ${o.error}` : ''}${o.record?.reason ? ` — ${terminalSafe(o.record.reason)}` : ''}`,
    );
  console.log('  cross-account hops authorized against the synthesized trust and permissions:');
  for (const hop of hops) console.log(`    ${hop}`);
  for (const r of refused)
    console.log(`  ✗ refused: ${r.action} ${r.resource} (${r.principal}) — ${terminalSafe(r.reason)}`);
  for (const r of ecsRefusals) console.log(`  ECS refused: ${r}`);
  console.log(
    violations.length === 0
      ? '  I8 holds: no run objects left, no result for a failed run, nothing else touched, no task or process left.'
      : `  I8 VIOLATED:\n${violations.map((v) => `    ${v}`).join('\n')}`,
  );
  for (const p of expectation) console.log(`  UNEXPECTED: ${p}`);
}

async function attacks(rehearsal: Rehearsal, names: readonly string[], json: boolean): Promise<number> {
  const reports = [];
  for (const name of names) {
    const report = await rehearseAttack(rehearsal, name);
    reports.push(report);
    const attack = ATTACKS[name];
    if (!json) {
      console.log(
        `${report.problems.length === 0 ? '✓ contained' : '✗ NOT CONTAINED'}  ${name}: ${attack?.describe ?? ''}`,
      );
      console.log(`    run ${report.outcome.status}; saw: ${report.evidence}`);
      console.log(`    stopped by ${attack ? stoppedBy(attack, rehearsal.confinement.mode) : ''}`);
      for (const problem of report.problems) console.log(`    PROBLEM: ${problem}`);
    }
  }
  if (json)
    console.log(
      JSON.stringify(
        reports.map((r) => ({ name: r.name, status: r.outcome.status, evidence: r.evidence, problems: r.problems })),
        null,
        2,
      ),
    );
  return reports.every((r) => r.problems.length === 0) ? 0 : 1;
}

async function benchmark(
  rehearsal: Rehearsal,
  archive: Buffer,
  runs: number,
  concurrency: number,
  json: boolean,
  say: (l: string) => void,
): Promise<number> {
  say(`Rehearsing ${runs} runs, ${concurrency} at a time…`);
  const outcomes: RunOutcome[] = [];
  let next = 0;
  const started = Date.now();
  const ownCpuBefore = process.cpuUsage();
  const childCpuBefore = childrenCpuMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < runs) {
        next += 1;
        outcomes.push(await rehearsal.submit(archive, { captureKeys: false }));
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  // This process (the engines, the fronts, the Lambda workers) and every container it reaped.
  const ownCpuMsPerRun = (ownCpu.user + ownCpu.system) / 1000 / runs;
  const childCpuMsPerRun = (childrenCpuMs() - childCpuBefore) / runs;
  const cpuMsPerRun = ownCpuMsPerRun + childCpuMsPerRun;
  const cost =
    rehearsal.confinement.mode !== 'none'
      ? await measureConfinementCost(
          rehearsal.artifacts.task,
          rehearsal.artifacts.task.runner,
          rehearsal.confinement.mode,
        )
      : undefined;
  const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const meanCostUsd = outcomes.reduce((sum, o) => sum + o.cost.totalUsd, 0) / Math.max(1, outcomes.length);
  const failed = outcomes.filter((o) => o.status !== 'SUCCEEDED');
  const leaks = isolationProblems(rehearsal, outcomes);
  const figures = {
    runs,
    concurrency,
    seconds,
    runsPerSecond: runs / seconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    failed: failed.length,
    crossRunAccesses: leaks,
    cpuMsPerRun,
    ownCpuMsPerRun,
    childCpuMsPerRun,
    meanCostUsd,
    confinement: rehearsal.confinement.mode,
    confinementCost: cost ?? null,
  };
  if (json) console.log(JSON.stringify(figures, null, 2));
  else {
    say(
      `${runs} runs in ${seconds.toFixed(2)} s: ${figures.runsPerSecond.toFixed(1)} runs/s, latency p50 ${figures.p50Ms} ms, p95 ${figures.p95Ms} ms`,
    );
    say(`${failed.length} failed; cross-run accesses: ${leaks.length === 0 ? 'none' : leaks.join('; ')}`);
    say(
      `AWS cost per run: $${meanCostUsd.toFixed(6)} on average, $${(meanCostUsd * 1000).toFixed(2)} per 1,000 runs (${PRICE_TABLE.region} list prices read ${PRICE_TABLE.read})`,
    );
    say(
      `CPU per run: ${cpuMsPerRun.toFixed(0)} ms (this process ${ownCpuMsPerRun.toFixed(0)} ms, every container and helper it reaped ${childCpuMsPerRun.toFixed(0)} ms), confinement ${rehearsal.confinement.mode}`,
    );
    if (cost) {
      const { start } = cost;
      say(
        `Confinement's cost: a container start ${start.confinedMs.toFixed(0)} ms / ${start.confinedCpuMs.toFixed(0)} ms CPU confined vs ${start.unconfinedMs.toFixed(0)} ms / ${start.unconfinedCpuMs.toFixed(0)} ms CPU plain; a task's namespaces and listener ${cost.taskMs.toFixed(0)} ms / ${cost.taskCpuMs.toFixed(0)} ms CPU; about ${cost.perRunCpuMs.toFixed(0)} ms CPU added per run (${start.samples} samples each)`,
      );
    }
  }
  return failed.length === 0 && leaks.length === 0 ? 0 : 1;
}
