import { fileURLToPath } from 'node:url';
import type { TrustSurface } from '@airlock/cloud-assembly';
import { analysisStateMachineArn, sandboxLauncherRoleName } from '@airlock/shared/environment';
import { tarGz } from '@airlock/shared/testing';
import type { RehearsalOptions } from './rehearsal.js';
import { runContainer } from '../aws/ecs/sandbox-launcher.js';
import { TaskError } from '../aws/stepfunctions/task-error.js';

export interface Fault {
  readonly describe: string;
  /** The submission this fault runs, when it is the submission that misbehaves. */
  readonly archive?: () => Buffer;
  readonly options?: Omit<RehearsalOptions, 'root' | 'env'>;
  /** Something done to the stores between upload and run. */
  readonly beforeRun?: 'delete-upload';
  readonly expect: { readonly status: 'SUCCEEDED' | 'FAILED'; readonly error?: string; readonly reason?: RegExp };
}

const compromised = fileURLToPath(new URL('./compromised-runner.mjs', import.meta.url));
const submission = (program: string) =>
  tarGz([
    { path: 'airlock.json', content: JSON.stringify({ entrypoint: ['node', 'main.mjs'] }) },
    { path: 'main.mjs', content: program },
  ]);

export const FAULTS: Readonly<Record<string, Fault>> = {
  'submission-crashes': {
    describe: 'the submission exits with code 3',
    archive: () => submission("console.error('boom'); process.exit(3);"),
    expect: { status: 'FAILED', error: 'Airlock.RunFailed', reason: /^submission exited with code 3$/ },
  },
  'submission-hangs': {
    describe: 'the submission loops forever; the runner kills it at the deadline (run timeout shortened to 12 s)',
    archive: () => submission('for (;;) {}'),
    options: { prepareEnvironment: { RUN_TIMEOUT_SECONDS: '12', TASK_START_MARGIN_SECONDS: '0' } },
    expect: { status: 'FAILED', error: 'Airlock.RunFailed', reason: /hit the deadline .* and was killed/ },
  },
  'output-oversized': {
    describe: "a compromised runner POSTs 300 KiB; the POST policy's content-length-range refuses it",
    options: { hooks: { container: (overrides) => runContainer(compromised, overrides, ['oversized']) } },
    expect: { status: 'FAILED', error: 'Airlock.RunFailed', reason: /could not deliver an output/ },
  },
  'output-malformed': {
    describe: 'a compromised runner delivers output that is not JSON; finalize refuses it',
    options: { hooks: { container: (overrides) => runContainer(compromised, overrides, ['malformed']) } },
    expect: { status: 'FAILED', error: 'Airlock.RunFailed', reason: /output is not acceptable JSON/ },
  },
  'cross-run-access': {
    describe: "a compromised runner tries another run's input and output with its own URLs; both are refused",
    options: { hooks: { container: (overrides) => runContainer(compromised, overrides, ['cross-run']) } },
    expect: { status: 'FAILED', error: 'Airlock.RunFailed', reason: /could not deliver an output/ },
  },
  'prepare-fails': {
    describe: 'the uploaded archive is gone when prepare runs; the data plane fails the run and records why',
    beforeRun: 'delete-upload',
    expect: {
      status: 'FAILED',
      error: 'Airlock.PrepareFailed',
      reason: /submission rejected: the uploaded archive is missing/,
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
    expect: { status: 'SUCCEEDED' },
  },
  'sandbox-trust-broken': {
    describe: "the sandbox launcher role's trust expects a wrong ExternalId, so the orchestrator cannot assume it",
    options: { editSurface: breakLauncherTrust },
    expect: { status: 'FAILED', error: 'Airlock.RunFailed', reason: /^the sandbox task failed: States\.TaskFailed$/ },
  },
};

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
