import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { TrustSurface } from '@airlock/cloud-assembly';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  AIRLOCK_ERRORS,
  analysisStateMachineArn,
  CONTAINER,
  KILL_SWITCH_STATEMENT_IDS,
  killSwitchPolicyDocument,
  killSwitchPolicyName,
  outputPostFields,
  resultReportKey,
  urlSignerRoleArn,
  sandboxLauncherRoleArn,
  sandboxLauncherRoleName,
  uploadObjectKey,
  type LaunchRequest,
  type OutputPost,
} from '@airlock/contracts';
import type { ContainerSpec } from '../aws/ecs/task-definition.js';
import type { WorkflowExecution } from '../aws/stepfunctions/sandbox-workflow.js';
import type { StateTiming } from '../aws/stepfunctions/standard-engine.js';
import { TaskError } from '../aws/stepfunctions/task-error.js';
import { invariantViolations } from './invariants.js';
import type { Rehearsal, RehearsalOptions, RunOutcome } from './rehearsal.js';

/** What a fault's run must have left in the rehearsal's records besides its outcome, each line matched in order. */
export interface FaultEvidence {
  readonly describe: string;
  readonly of: (rehearsal: Rehearsal) => string[];
  readonly matches: ReadonlyArray<string | RegExp>;
}

export interface FaultExpectation {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly reason?: RegExp;
  /** What the run record must keep of the submission's stderr. */
  readonly stderr?: RegExp;
}

export interface Fault {
  readonly describe: string;
  /** The submission directory this fault runs, when it is the submission that misbehaves. */
  readonly submission?: string;
  readonly options?: Omit<RehearsalOptions, 'root' | 'env'>;
  /** Something done to the stores between upload and run. */
  readonly beforeRun?: (rehearsal: Rehearsal, ids: { runId: string; submissionId: string }) => Promise<void>;
  /** Something done while the run's launch execution is in flight. */
  readonly duringLaunch?: (rehearsal: Rehearsal, execution: WorkflowExecution) => void;
  /** Something done once the run has ended (closed and purged), before it is checked. */
  readonly afterRun?: (rehearsal: Rehearsal, ids: { runId: string; submissionId: string }) => Promise<void>;
  /** Further runs after the first, each prepared by its step (e.g. a switch turned off), and what each must end as. */
  readonly followUps?: ReadonlyArray<{
    readonly describe: string;
    readonly before?: (rehearsal: Rehearsal) => void;
    readonly expect: FaultExpectation;
  }>;
  readonly expect: FaultExpectation & { readonly evidence?: FaultEvidence };
}

const compromised = fileURLToPath(new URL('./compromised-runner.mjs', import.meta.url));
const faultSubmission = (name: string) => fileURLToPath(new URL(`../../fault-submissions/${name}/`, import.meta.url));
const refusals = (rehearsal: Rehearsal) =>
  rehearsal.accesses.filter((a) => !a.allowed).map((a) => `${a.key} — ${a.reason ?? ''}`);
/** Replaces the named containers' programs with the compromised runner in the given modes. */
const compromise =
  (modes: Partial<Record<string, string>>) =>
  (container: ContainerSpec): { program: string; args: readonly string[] } | undefined => {
    const mode = modes[container.name];
    return mode ? { program: compromised, args: [mode] } : undefined;
  };
/** Once the launch's task has its processes, runs `act` (a task's containers start one after another). */
function whenTaskRuns(rehearsal: Rehearsal, execution: WorkflowExecution, act: () => void): void {
  void (async () => {
    const { ecs } = rehearsal.sandbox;
    while (execution.status === 'RUNNING') {
      const [arn] = ecs.listTasks(rehearsal.artifacts.clusterArn, execution.name);
      const task = arn ? ecs.task(rehearsal.artifacts.clusterArn, arn) : undefined;
      const running = task?.describe().Containers.some((c) => c.Name === CONTAINER.RUN && c.LastStatus === 'RUNNING');
      if (running) return act();
      await delay(20);
    }
  })();
}
const prepareRoleArn = (rehearsal: Rehearsal): string => {
  const prepare = [...rehearsal.artifacts.functions.values()].find((f) => f.environment.SIGNER_ROLE_ARN);
  if (!prepare) throw new Error('no data function signs URLs (SIGNER_ROLE_ARN): cannot find the prepare role');
  return prepare.roleArn;
};
const killSwitch = (rehearsal: Rehearsal, account: 'sandbox' | 'data', on: boolean) => {
  const role = account === 'sandbox' ? sandboxLauncherRoleArn(rehearsal.artifacts.env) : prepareRoleArn(rehearsal);
  const name = killSwitchPolicyName(rehearsal.artifacts.env);
  if (on) rehearsal.authorizer.putRolePolicy(role, name, killSwitchPolicyDocument(account));
  else rehearsal.authorizer.deleteRolePolicy(role, name);
};
/** The same URL as sent from inside the sandbox: through its S3 gateway endpoint. */
const throughSandboxEndpoint = (rehearsal: Rehearsal, url: string) =>
  `${rehearsal.s3Urls.throughSandboxEndpoint}${url.slice(rehearsal.s3Urls.elsewhere.length)}`;
/** The run's input GET URL and output POST, as its launch request carries them. */
export const runGrant = (rehearsal: Rehearsal, runId: string) => {
  const launch = rehearsal.sandbox.launch.all().find((e) => e.name === runId);
  if (!launch) throw new Error(`no launch execution of ${runId} to take the run's URLs from`);
  const request = JSON.parse(launch.input) as LaunchRequest;
  return { inputUrl: request.inputUrl, post: JSON.parse(request.outputPost) as OutputPost };
};
const lateOutputForm = (post: OutputPost) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(outputPostFields(post))) form.append(name, value);
  form.append('file', new Blob(['{"schemaVersion":1,"late":true}'], { type: 'application/json' }), 'output.json');
  return form;
};
const deniedDecisions = (rehearsal: Rehearsal) =>
  rehearsal.authorizer.decisions
    .filter((d) => !d.allowed)
    .map((d) => `${d.action} denied${d.refusedBy ? ` by ${d.refusedBy}` : ''}`);

export const FAULTS: Readonly<Record<string, Fault>> = {
  'submission-crashes': {
    describe: 'the submission exits with code 3',
    submission: faultSubmission('crashes'),
    expect: {
      status: 'FAILED',
      error: AIRLOCK_ERRORS.RunFailed,
      reason: /^submission exited with code 3$/,
      stderr: /^boom\n$/,
    },
  },
  'submission-hangs': {
    // 25 s: the containers keep 10 s of the deadline for the upload, and fetch refuses to start without time to run.
    describe: 'the submission loops forever; run kills it at the deadline (run timeout shortened to 25 s)',
    submission: faultSubmission('hangs'),
    options: { prepareEnvironment: { RUN_TIMEOUT_SECONDS: '25', TASK_START_MARGIN_SECONDS: '0' } },
    expect: { status: 'FAILED', error: AIRLOCK_ERRORS.RunFailed, reason: /deadline/ },
  },
  'output-oversized': {
    describe: "a compromised deliver POSTs 300 KiB; the POST policy's content-length-range refuses it",
    options: { hooks: { container: compromise({ [CONTAINER.DELIVER]: 'oversized' }) } },
    expect: {
      status: 'FAILED',
      error: AIRLOCK_ERRORS.RunFailed,
      reason: /deliver|output/,
      evidence: {
        describe: "refused the upload at the POST policy's content-length-range, and nothing else",
        of: refusals,
        matches: [' — Your proposed upload exceeds the maximum allowed size'],
      },
    },
  },
  'output-malformed': {
    describe: 'a compromised deliver uploads output that is not JSON; finalize refuses it',
    options: { hooks: { container: compromise({ [CONTAINER.DELIVER]: 'malformed' }) } },
    expect: { status: 'FAILED', error: AIRLOCK_ERRORS.RunFailed, reason: /output is not acceptable JSON/ },
  },
  'cross-run-access': {
    describe: "a compromised fetch and deliver try another run's input and output with their own URLs; both refused",
    options: {
      hooks: {
        container: compromise({ [CONTAINER.FETCH]: 'cross-run-input', [CONTAINER.DELIVER]: 'cross-run-output' }),
      },
    },
    expect: {
      status: 'FAILED',
      error: AIRLOCK_ERRORS.RunFailed,
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
  'late-upload': {
    describe:
      "the run's output POST leaks; once the run is closed and purged, and before the POST expires, it is used " +
      "again through the sandbox's S3 endpoint: S3 accepts it, and the late-object sweeper deletes the object on arrival",
    afterRun: async (rehearsal, { runId }) => {
      const { post } = runGrant(rehearsal, runId);
      const response = await fetch(throughSandboxEndpoint(rehearsal, post.url), {
        method: 'POST',
        body: lateOutputForm(post),
      });
      if (response.status !== 204)
        throw new Error(`the late POST was refused (${response.status}): ${await response.text()}`);
    },
    expect: {
      status: 'SUCCEEDED',
      evidence: {
        describe:
          "accepted output.json twice (the run's, then the late one) and the sweeper deleting only the late one",
        of: (rehearsal) => [
          ...rehearsal.accesses
            .filter((a) => a.allowed && a.action === 's3:PutObject' && a.key.endsWith('/output.json'))
            .map((a) => `accepted ${a.key.replace(/run-[\w-]+/, '<run>')}`),
          ...rehearsal.dataEvents.deliveries
            .map(({ execution }) => ({
              key: (JSON.parse(execution.input) as { detail: { object: { key: string } } }).detail.object.key,
              last: execution.states.at(-1) ?? 'nothing',
            }))
            .filter(({ key }) => key.endsWith('/output.json'))
            .map(({ key, last }) => `sweeper on ${key.replace(/run-[\w-]+/, '<run>')}: ${last}`),
        ],
        matches: [
          'accepted runs/<run>/output.json',
          'accepted runs/<run>/output.json',
          'sweeper on runs/<run>/output.json: RunIsOpen',
          'sweeper on runs/<run>/output.json: DeleteObject',
        ],
      },
    },
  },
  'leaked-urls': {
    describe:
      "the run's input URL and output POST leak to the submitter, who uses them from the internet once the run is " +
      "purged and before they expire: the bucket policy's network Deny and the signer's session policy refuse both",
    afterRun: async (rehearsal, { runId }) => {
      const { inputUrl, post } = runGrant(rehearsal, runId);
      const answers = [
        await fetch(inputUrl),
        await fetch(post.url, { method: 'POST', body: lateOutputForm(post) }),
      ].map((r) => r.status);
      if (answers.some((status) => status !== 403))
        throw new Error(`a leaked URL used from outside the sandbox was answered ${answers.join(', ')}, not 403`);
    },
    expect: {
      status: 'SUCCEEDED',
      evidence: {
        describe:
          'refused the GET and the POST from outside the sandbox, each by the bucket policy and the session policy',
        of: (rehearsal) =>
          rehearsal.accesses
            .filter((a) => a.via === 'elsewhere' && a.roleArn === rehearsal.artifacts.signerRoleArn)
            .map(
              (a) =>
                `${a.allowed ? 'allowed' : 'refused'} ${a.action} ${a.key.replace(/run-[\w-]+/, '<run>')}: ` +
                (/\(refused by ([^)]*)\)/.exec(a.reason ?? '')?.[1] ?? a.reason ?? ''),
            ),
        matches: [
          'refused s3:GetObject runs/<run>/input.tar.gz: the session policy and the resource-based policy',
          'refused s3:PutObject runs/<run>/output.json: the session policy and the resource-based policy',
        ],
      },
    },
  },
  'ecs-throttles': {
    describe: 'RunTask is throttled twice inside the launch workflow, then succeeds (it retries)',
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
        describe: 'retried RunTask inside the launch workflow: the hop was made once, RunTask authorized once',
        of: (rehearsal) => {
          const decisions = rehearsal.authorizer.decisions;
          const launcher = sandboxLauncherRoleArn(rehearsal.artifacts.env);
          return [
            `sandbox launcher assumed ${decisions.filter((d) => d.action === 'sts:AssumeRole' && d.resource === launcher).length} times`,
            `launch executions started: ${rehearsal.sandbox.launch.all().length}`,
            `ecs:RunTask authorized ${decisions.filter((d) => d.action === 'ecs:RunTask').length} times`,
          ];
        },
        matches: ['sandbox launcher assumed 1 times', 'launch executions started: 1', 'ecs:RunTask authorized 1 times'],
      },
    },
  },
  'sandbox-trust-broken': {
    describe: "the sandbox launcher role's trust expects a wrong ExternalId, so the orchestrator cannot start a launch",
    options: { editSurface: breakLauncherTrust },
    expect: {
      status: 'FAILED',
      error: AIRLOCK_ERRORS.RunFailed,
      evidence: {
        describe: 'denied the orchestrator the sandbox launcher role, and started no launch',
        of: (rehearsal) => {
          const launcher = sandboxLauncherRoleArn(rehearsal.artifacts.env);
          return [
            ...rehearsal.authorizer.decisions
              .filter((d) => !d.allowed)
              .map((d) => `${d.action} ${d.resource === launcher ? 'the sandbox launcher role' : d.resource}`),
            `launch executions started: ${rehearsal.sandbox.launch.all().length}`,
          ];
        },
        matches: ['sts:AssumeRole the sandbox launcher role', 'launch executions started: 0'],
      },
    },
  },
  'launch-aborted': {
    describe:
      'the launch execution is stopped from outside while its task runs; the abort rule starts the reaper, which stops the task',
    submission: faultSubmission('hangs'),
    duringLaunch: (rehearsal, execution) => whenTaskRuns(rehearsal, execution, () => execution.abort()),
    expect: {
      status: 'FAILED',
      error: AIRLOCK_ERRORS.RunFailed,
      evidence: {
        describe: 'ended the launch ABORTED, ran the reaper from the rule, and left no task and no process',
        of: (rehearsal) => {
          const { sandbox } = rehearsal;
          return [
            `launch ${sandbox.launch
              .all()
              .map((e) => e.status)
              .join(', ')}`,
            `rules matched: ${sandbox.events.deliveries.map((d) => d.rule).join(', ')}`,
            `reaper ${sandbox.reaper
              .all()
              .map((e) => e.status)
              .join(', ')}`,
            `tasks running: ${sandbox.ecs.running().length}`,
            `task processes left: ${sandbox.ecs.remainingProcesses().length}`,
          ];
        },
        matches: [
          'launch ABORTED',
          /^rules matched: \S+$/,
          'reaper SUCCEEDED',
          'tasks running: 0',
          'task processes left: 0',
        ],
      },
    },
  },
  'kill-switch': {
    describe:
      'both kill switches go on while a run is in flight; that run still ends and is cleaned up, the next runs fail at prepare, then (data switch off) at the hop',
    duringLaunch: (rehearsal, execution) =>
      whenTaskRuns(rehearsal, execution, () => {
        killSwitch(rehearsal, 'sandbox', true);
        killSwitch(rehearsal, 'data', true);
      }),
    followUps: [
      {
        describe: 'both switches on: prepare cannot get URLs',
        expect: { status: 'FAILED', error: AIRLOCK_ERRORS.PrepareFailed },
      },
      {
        describe: 'data switch off, sandbox switch on: the hop cannot start a launch',
        before: (rehearsal) => killSwitch(rehearsal, 'data', false),
        expect: { status: 'FAILED', error: AIRLOCK_ERRORS.RunFailed },
      },
    ],
    expect: {
      status: 'SUCCEEDED',
      evidence: {
        describe: 'denied only new work, each time naming the kill switch statement',
        of: deniedDecisions,
        matches: [
          new RegExp(
            `^sts:AssumeRole denied by statement ${KILL_SWITCH_STATEMENT_IDS.data} of policy \\S+-kill-switch$`,
          ),
          new RegExp(
            `^states:StartExecution denied by statement ${KILL_SWITCH_STATEMENT_IDS.sandbox} of policy \\S+-kill-switch$`,
          ),
        ],
      },
    },
  },
};

/** One run of a fault, with the I8 violations found right after it (before a later run adds its own objects). */
export interface FaultRun {
  readonly outcome: RunOutcome;
  readonly violations: readonly string[];
}

/** A fault's runs: the first (with the fault's doings before and during it), then its follow-ups in order. */
export async function rehearseFault(
  rehearsal: Rehearsal,
  fault: Fault,
  archive: Buffer,
  onState?: (timing: StateTiming) => void,
  /** Also told when the first run's launch starts (the elapsed-time display). */
  watchLaunch?: (execution: WorkflowExecution) => void,
): Promise<FaultRun[]> {
  const { beforeRun, duringLaunch } = fault;
  const checked = async (outcome: RunOutcome) => ({
    outcome,
    violations: await invariantViolations(rehearsal, outcome),
  });
  const first = await rehearsal.submit(archive, {
    ...(onState ? { onState } : {}),
    ...(beforeRun ? { beforeRun: (ids) => beforeRun(rehearsal, ids) } : {}),
    duringLaunch: (execution) => {
      watchLaunch?.(execution);
      duringLaunch?.(rehearsal, execution);
    },
  });
  await fault.afterRun?.(rehearsal, first);
  const runs = [await checked(first)];
  for (const followUp of fault.followUps ?? []) {
    followUp.before?.(rehearsal);
    runs.push(await checked(await rehearsal.submit(archive)));
  }
  return runs;
}

/** How a fault's runs differed from what the fault expects; empty when they went as expected. */
export function faultExpectationProblems(
  fault: Fault,
  outcomes: readonly RunOutcome[],
  rehearsal: Rehearsal,
): string[] {
  const expectations = [fault.expect, ...(fault.followUps ?? []).map((f) => f.expect)];
  const problems = expectations.flatMap((expect, i) => {
    const outcome = outcomes[i];
    const run = i === 0 ? '' : `follow-up ${i}: `;
    if (!outcome) return [`${run}did not run`];
    return [
      outcome.status !== expect.status && `${run}expected ${expect.status}, got ${outcome.status}`,
      expect.error &&
        outcome.error !== expect.error &&
        `${run}expected error ${expect.error}, got ${outcome.error ?? 'none'}`,
      expect.reason &&
        !expect.reason.test(outcome.record?.reason ?? '') &&
        `${run}expected the record to say ${expect.reason}, it says ${JSON.stringify(outcome.record?.reason)}`,
      expect.stderr &&
        !expect.stderr.test(outcome.record?.stderrTail ?? '') &&
        `${run}expected the record to keep the submission's stderr ${expect.stderr}, it keeps ${JSON.stringify(outcome.record?.stderrTail)}`,
    ].filter((p): p is string => typeof p === 'string');
  });
  const { evidence } = fault.expect;
  if (evidence) {
    const seen = evidence.of(rehearsal);
    const matched =
      seen.length === evidence.matches.length &&
      seen.every((line, i) => {
        const m = evidence.matches[i];
        return typeof m === 'string' ? line === m : m !== undefined && m.test(line);
      });
    if (!matched) problems.push(`expected it ${evidence.describe}; saw ${JSON.stringify(seen)}`);
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
