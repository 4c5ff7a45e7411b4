import { fileURLToPath } from 'node:url';
import type { TrustSurface } from '@airlock/cloud-assembly';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  AIRLOCK_ERRORS,
  analysisStateMachineArn,
  resultReportKey,
  urlSignerRoleArn,
  sandboxLauncherRoleArn,
  sandboxLauncherRoleName,
  uploadObjectKey,
} from '@airlock/contracts';
import type { Rehearsal, RehearsalOptions, RunOutcome } from './rehearsal.js';
import { runContainer } from '../aws/ecs/sandbox-launcher.js';
import { TaskError } from '../aws/stepfunctions/task-error.js';

/** What a fault's run must have left in the rehearsal's records besides its outcome, each line matched in order. */
export interface FaultEvidence {
  readonly describe: string;
  readonly of: (rehearsal: Rehearsal) => string[];
  readonly matches: ReadonlyArray<string | RegExp>;
}

export interface Fault {
  readonly describe: string;
  /** The submission directory this fault runs, when it is the submission that misbehaves. */
  readonly submission?: string;
  readonly options?: Omit<RehearsalOptions, 'root' | 'env'>;
  /** Something done to the stores between upload and run. */
  readonly beforeRun?: (rehearsal: Rehearsal, ids: { runId: string; submissionId: string }) => Promise<void>;
  readonly expect: {
    readonly status: 'SUCCEEDED' | 'FAILED';
    readonly error?: string;
    readonly reason?: RegExp;
    readonly evidence?: FaultEvidence;
  };
}

const compromised = fileURLToPath(new URL('./compromised-runner.mjs', import.meta.url));
const faultSubmission = (name: string) => fileURLToPath(new URL(`../../fault-submissions/${name}/`, import.meta.url));
const refusals = (rehearsal: Rehearsal) =>
  rehearsal.accesses.filter((a) => !a.allowed).map((a) => `${a.key} — ${a.reason ?? ''}`);

export const FAULTS: Readonly<Record<string, Fault>> = {
  'submission-crashes': {
    describe: 'the submission exits with code 3',
    submission: faultSubmission('crashes'),
    expect: { status: 'FAILED', error: AIRLOCK_ERRORS.RunFailed, reason: /^submission exited with code 3$/ },
  },
  'submission-hangs': {
    describe: 'the submission loops forever; the runner kills it at the deadline (run timeout shortened to 12 s)',
    submission: faultSubmission('hangs'),
    options: { prepareEnvironment: { RUN_TIMEOUT_SECONDS: '12', TASK_START_MARGIN_SECONDS: '0' } },
    expect: { status: 'FAILED', error: AIRLOCK_ERRORS.RunFailed, reason: /hit the deadline .* and was killed/ },
  },
  'output-oversized': {
    describe: "a compromised runner POSTs 300 KiB; the POST policy's content-length-range refuses it",
    options: { hooks: { container: (overrides) => runContainer(compromised, overrides, ['oversized']) } },
    expect: {
      status: 'FAILED',
      error: AIRLOCK_ERRORS.RunFailed,
      reason: /could not deliver an output/,
      evidence: {
        describe: "refused the upload at the POST policy's content-length-range, and nothing else",
        of: refusals,
        matches: [' — Your proposed upload exceeds the maximum allowed size'],
      },
    },
  },
  'output-malformed': {
    describe: 'a compromised runner delivers output that is not JSON; finalize refuses it',
    options: { hooks: { container: (overrides) => runContainer(compromised, overrides, ['malformed']) } },
    expect: { status: 'FAILED', error: AIRLOCK_ERRORS.RunFailed, reason: /output is not acceptable JSON/ },
  },
  'cross-run-access': {
    describe: "a compromised runner tries another run's input and output with its own URLs; both are refused",
    options: { hooks: { container: (overrides) => runContainer(compromised, overrides, ['cross-run']) } },
    expect: {
      status: 'FAILED',
      error: AIRLOCK_ERRORS.RunFailed,
      reason: /could not deliver an output/,
      evidence: {
        describe: "refused the other run's input and output",
        of: refusals,
        matches: [
          'runs/another-run/input.tar.gz — The request signature we calculated does not match the signature you provided.',
          /^ — Invalid according to Policy: Policy Condition failed: \{"key":"runs\/run-/,
        ],
      },
    },
  },
  'prepare-fails': {
    describe: 'the uploaded archive is gone when prepare runs; the data plane fails the run and records why',
    beforeRun: async (rehearsal, { submissionId }) =>
      void (await rehearsal.deleteObject(uploadObjectKey(submissionId))),
    expect: {
      status: 'FAILED',
      error: AIRLOCK_ERRORS.PrepareFailed,
      reason: /submission rejected: the uploaded archive is missing/,
    },
  },
  'replayed-submission': {
    describe: 'the submission already ran under another run ID; a second prepare of it is refused, and it gets no URL',
    beforeRun: async (rehearsal, { runId, submissionId }) => {
      const first = await rehearsal.runUploaded(`${runId}-first`, submissionId);
      if (first !== 'SUCCEEDED') throw new Error(`the first run of the submission ended ${first}`);
    },
    expect: {
      status: 'FAILED',
      error: AIRLOCK_ERRORS.PrepareFailed,
      reason: /^submission sub-[\w-]+ was already claimed by run run-[\w-]+-first: a submission runs once\. Fix: /,
      evidence: {
        describe: 'signed URLs for the first run only',
        of: (rehearsal) => {
          const signer = urlSignerRoleArn(rehearsal.artifacts.env);
          const sessions = rehearsal.authorizer.decisions.filter(
            (d) => d.action === 'sts:AssumeRole' && d.resource === signer && d.allowed,
          );
          return [`URL signer sessions: ${sessions.length}`];
        },
        matches: ['URL signer sessions: 1'],
      },
    },
  },
  'forged-report': {
    describe: "a report naming another run is already at this run's result key; finalize refuses and removes it",
    beforeRun: async (rehearsal, { runId, submissionId }) =>
      void (await rehearsal.s3.send(
        new PutObjectCommand({
          Bucket: rehearsal.artifacts.bucket,
          Key: resultReportKey(runId),
          Body: JSON.stringify({
            schemaVersion: 1,
            runId: 'run-0-0-forged',
            submissionId,
            inputSha256: '0'.repeat(64),
            attempt: 'forged',
            result: { verdict: 'all clear' },
          }),
        }),
      )),
    expect: {
      status: 'FAILED',
      error: AIRLOCK_ERRORS.RunFailed,
      reason:
        /^a report of another run was already at results\/run-[\w-]+\/report\.json \(its runId, inputSha256, attempt differ from this run's\); it was removed, not adopted$/,
    },
  },
  'ecs-throttles': {
    describe: 'RunTask is throttled twice, then succeeds (the workflow retries with backoff and jitter)',
    options: {
      hooks: {
        beforeRunTask: (attempt) => {
          if (attempt <= 2) throw new TaskError('ECS.ThrottlingException', 'Rate exceeded');
        },
      },
    },
    expect: {
      status: 'SUCCEEDED',
      evidence: {
        // One assumption for LoadSandboxConfig, three for RunUntrusted (two throttled, one through).
        describe: 'retried RunTask through the throttling: three attempts, each assuming the launcher role again',
        of: (rehearsal) => {
          const decisions = rehearsal.authorizer.decisions;
          const launcher = sandboxLauncherRoleArn(rehearsal.artifacts.env);
          return [
            `sandbox launcher assumed ${decisions.filter((d) => d.action === 'sts:AssumeRole' && d.resource === launcher).length} times`,
            `ecs:RunTask authorized ${decisions.filter((d) => d.action === 'ecs:RunTask').length} times`,
          ];
        },
        matches: ['sandbox launcher assumed 4 times', 'ecs:RunTask authorized 1 times'],
      },
    },
  },
  'sandbox-trust-broken': {
    describe: "the sandbox launcher role's trust expects a wrong ExternalId, so the orchestrator cannot assume it",
    options: { editSurface: breakLauncherTrust },
    expect: {
      status: 'FAILED',
      error: AIRLOCK_ERRORS.RunFailed,
      reason: /^the sandbox task failed: States\.TaskFailed$/,
      evidence: {
        describe: 'denied the orchestrator the sandbox launcher role, and only that',
        of: (rehearsal) => {
          const launcher = sandboxLauncherRoleArn(rehearsal.artifacts.env);
          return rehearsal.authorizer.decisions
            .filter((d) => !d.allowed)
            .map((d) => `${d.action} ${d.resource === launcher ? 'the sandbox launcher role' : d.resource}`);
        },
        matches: ['sts:AssumeRole the sandbox launcher role'],
      },
    },
  },
};

/** How a fault's run differed from what the fault expects; empty when it went as expected. */
export function faultExpectationProblems(fault: Fault, outcome: RunOutcome, rehearsal: Rehearsal): string[] {
  const { expect } = fault;
  const problems: string[] = [];
  if (outcome.status !== expect.status) problems.push(`expected ${expect.status}, got ${outcome.status}`);
  if (expect.error && outcome.error !== expect.error)
    problems.push(`expected error ${expect.error}, got ${outcome.error ?? 'none'}`);
  if (expect.reason && !expect.reason.test(outcome.record?.reason ?? ''))
    problems.push(`expected the record to say ${expect.reason}, it says ${JSON.stringify(outcome.record?.reason)}`);
  if (expect.evidence) {
    const seen = expect.evidence.of(rehearsal);
    const { matches } = expect.evidence;
    const matched =
      seen.length === matches.length &&
      seen.every((line, i) => {
        const m = matches[i];
        return typeof m === 'string' ? line === m : m !== undefined && m.test(line);
      });
    if (!matched) problems.push(`expected it ${expect.evidence.describe}; saw ${JSON.stringify(seen)}`);
  }
  return problems;
}

function breakLauncherTrust(surface: TrustSurface): TrustSurface {
  const name = sandboxLauncherRoleName(surface.env);
  const wrongExternalId = analysisStateMachineArn(surface.env).replace(
    /stateMachine:.*$/,
    'stateMachine:not-the-analysis',
  );
  return {
    ...surface,
    roles: surface.roles.map((role) =>
      role.name !== name
        ? role
        : {
            ...role,
            trust: {
              ...role.trust,
              Statement: role.trust.Statement.map((s) => ({
                ...s,
                Condition: { ...s.Condition, StringEquals: { 'sts:ExternalId': wrongExternalId } },
              })),
            },
          },
    ),
  };
}
