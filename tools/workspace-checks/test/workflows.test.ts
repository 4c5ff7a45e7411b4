import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workspaceRoot } from './workspace.js';

type Step = {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
};
type Job = {
  name?: string;
  needs?: string | string[];
  outputs?: Record<string, string>;
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  environment?: string;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  steps?: Step[];
};
type Workflow = {
  on: Record<string, unknown> & { schedule?: Array<{ cron: string }> };
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
};

const dir = join(workspaceRoot, '.github/workflows');
const text = (file: string) => readFileSync(join(dir, file), 'utf8');
const workflow = (file: string) => parse(text(file)) as Workflow;
const validator = join(workspaceRoot, 'node_modules/@action-validator/cli/cli.mjs');
const validate = (file: string) => spawnSync(process.execPath, [validator, file], { encoding: 'utf8' });

const ACCOUNTS = ['orchestrator', 'sandbox', 'data'] as const;
const workflowFiles = readdirSync(dir).filter((f) => f.endsWith('.yml'));
/** A step that installs packages and lets their install scripts run. */
const runsInstallScripts = (step: Step) =>
  (step.run ?? '')
    .split('\n')
    .some((line) => /\bnpm (ci|install|i|add)\b/.test(line) && !line.includes('--ignore-scripts'));
/** Every `uses:` line of a workflow file that calls an action (not a local reusable workflow). */
const actionLines = (file: string) =>
  text(file)
    .split('\n')
    .filter((line) => /^\s*(- )?uses: /.test(line) && !line.includes('uses: ./'));

describe('workflow files', () => {
  it.each(workflowFiles)('%s passes the GitHub Actions schema', (file) => {
    const result = validate(join(dir, file));
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('the schema check rejects a broken workflow', () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'airlock-wf-')), 'broken.yml');
    writeFileSync(broken, 'name: broken\non: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: "not a list"\n');
    expect(validate(broken).status).not.toBe(0);
  });

  it('hold no long-lived credentials anywhere', () => {
    for (const file of readdirSync(dir)) {
      expect(text(file)).not.toMatch(/secrets\.|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id/);
    }
  });

  it('CI runs the affected targets with the Nx cache kept between runs', () => {
    const steps = workflow('ci.yml').jobs.affected!.steps!;
    expect(steps.map((s) => s.uses?.split('@')[0])).toEqual(
      expect.arrayContaining(['nrwl/nx-set-shas', 'actions/cache']),
    );
    expect(steps.find((s) => s.uses?.startsWith('actions/cache'))!.with!.path).toBe('.nx/cache');
    expect(steps.at(-3)!.run).toBe('npx nx run airlock:format-check');
    expect(steps.at(-2)!.run).toMatch(/^npx nx affected -t lint typecheck test synth bundle-sizes/);
    // The review gates the job (its exit status) and puts its diff in words where the pull request's author sees it.
    const review = steps.at(-1)!.run!;
    expect(review).toMatch(/npm run -s review -- --diff > "\$RUNNER_TEMP\/trust-diff\.md" \|\| status=\$\?/);
    expect(review).toContain('cat "$RUNNER_TEMP/trust-diff.md" >> "$GITHUB_STEP_SUMMARY"');
    expect(review).toMatch(/exit "\$status"\s*fi\s*$/);
  });
});

describe.each(ACCOUNTS)('deploy-%s.yml', (account) => {
  const wf = workflow(`deploy-${account}.yml`);

  it('deploys on main, only when its app is affected since its own last successful deploy', () => {
    expect(wf.on).toHaveProperty('push', { branches: ['main'] });
    const steps = wf.jobs.affected!.steps!;
    expect(steps.find((s) => s.uses?.startsWith('nrwl/nx-set-shas'))!.with).toEqual({
      'workflow-id': `deploy-${account}.yml`,
    });
    expect(steps.at(-1)!.run).toBe(
      `echo "affected=$(node tools/scripts/is-affected.mjs @airlock/${account}-account)" >> "$GITHUB_OUTPUT"`,
    );
    expect(wf.jobs.dev!.if).toContain("needs.affected.outputs.affected == 'true'");
  });

  it('deploys exactly its own app, dev then prod, through the shared deploy job with OIDC', () => {
    const canaries = account === 'orchestrator' ? ['canary-dev', 'canary-prod'] : [];
    expect(Object.keys(wf.jobs).sort()).toEqual(['affected', 'dev', 'prod', ...canaries].sort());
    for (const [job, environment] of [
      ['dev', 'dev'],
      ['prod', 'prod'],
    ] as const) {
      expect(wf.jobs[job]).toMatchObject({
        uses: './.github/workflows/deploy-account.yml',
        with: { account, environment },
        permissions: { 'id-token': 'write', contents: 'read' },
      });
    }
    // The orchestrator's prod deploy waits for the dev canary too (see its own test below).
    expect([wf.jobs.prod!.needs].flat()[0]).toBe('dev');
  });
});

describe('the canary after the orchestrator deploys', () => {
  const wf = workflow('deploy-orchestrator.yml');
  const canary = workflow('canary.yml');

  it('runs after each deploy, in that environment, and a failing dev canary stops the prod deploy', () => {
    for (const environment of ['dev', 'prod'] as const)
      expect(wf.jobs[`canary-${environment}`]).toMatchObject({
        needs: environment,
        uses: './.github/workflows/canary.yml',
        with: { environment },
        permissions: { 'id-token': 'write', contents: 'read' },
      });
    expect(wf.jobs.prod!.needs).toEqual(['dev', 'canary-dev']);
  });

  it('runs airlock-canary in the <env>-canary GitHub environment with an OIDC token, installing nothing with scripts', () => {
    const job = canary.jobs.canary!;
    expect(job.environment).toBe('${{ inputs.environment }}-canary');
    expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    const steps = job.steps!;
    expect(steps.some(runsInstallScripts)).toBe(false);
    const run = steps.at(-1)!.run!;
    expect(run).toContain('node tools/canary/bin/airlock-canary.mjs "$AIRLOCK_ENV" || status=$?');
    // The environment's name reaches the script as a variable, never spliced into it; the job cannot hang forever.
    expect(steps.at(-1)!.env).toEqual({ AIRLOCK_ENV: '${{ inputs.environment }}' });
    expect(run).not.toContain('${{');
    expect(job['timeout-minutes']).toBeGreaterThan(0);
    // Only "not fully deployed" (exit 3) passes without a canary; any failed check fails the job, saying what to read.
    expect(run).toMatch(/if \[ "\$status" = 3 \]; then[\s\S]*exit 0\s*fi/);
    expect(run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(run.trim().split('\n').at(-1)!.trim()).toBe('exit "$status"');
  });
});

describe('every workflow', () => {
  it.each(workflowFiles)('%s: pins every action by full commit SHA, with its tag in a comment', (file) => {
    for (const line of actionLines(file)) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it.each(workflowFiles)('%s: no job that runs install scripts can request an OIDC token', (file) => {
    const wf = workflow(file);
    expect(wf.permissions?.['id-token']).toBeUndefined();
    for (const job of Object.values(wf.jobs))
      if ((job.steps ?? []).some(runsInstallScripts)) expect(job.permissions?.['id-token']).toBeUndefined();
  });

  it('the checks catch a tag-pinned action and a token next to install scripts', () => {
    const broken = parse(
      'jobs:\n  x:\n    permissions: { id-token: write }\n    steps:\n      - run: npm ci\n      - run: |\n          echo hi\n          npm install left-pad\n',
    ) as Workflow;
    expect(broken.jobs.x!.steps!.map(runsInstallScripts)).toEqual([true, true]);
    expect(runsInstallScripts({ run: 'npm ci --ignore-scripts' })).toBe(false);
    expect('      - uses: actions/checkout@v7 # v7.0.1').not.toMatch(/@[0-9a-f]{40} # v/);
  });
});

describe('deploy-account.yml (the jobs every account uses)', () => {
  const wf = workflow('deploy-account.yml');
  const { build, deploy, 'deploy-broadening': broadening } = wf.jobs;
  const index = (job: Job, match: (s: Step) => boolean) => job.steps!.findIndex(match);
  const named = (job: Job, name: string) => job.steps!.find((s) => s.name === name)!;

  it('builds without any cloud credential: install, test, synth, trust review, then uploads cdk.out', () => {
    expect(build!.permissions).toEqual({ contents: 'read' });
    const order = [
      index(build!, (s) => s.run === 'npm ci'),
      index(build!, (s) => s.name === 'Test'),
      index(build!, (s) => s.name === 'Synth'),
      index(build!, (s) => s.name?.startsWith('Trust review') ?? false),
      index(build!, (s) => s.uses?.startsWith('actions/upload-artifact') ?? false),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(named(build!, 'Test').run).toContain('-p "$APP"');
    expect(build!.steps![order[4]!]!.with).toMatchObject({ path: 'apps/${{ inputs.account }}-account/cdk.out' });
  });

  it("deploys that artifact in the account's own GitHub environment, one deploy at a time, installing nothing with scripts", () => {
    expect(deploy).toMatchObject({
      needs: 'build',
      environment: '${{ inputs.environment }}-${{ inputs.account }}',
      concurrency: { group: 'deploy-${{ inputs.account }}-${{ inputs.environment }}', 'cancel-in-progress': false },
      permissions: { 'id-token': 'write', contents: 'read' },
    });
    for (const job of [deploy!, broadening!]) {
      const download = job.steps!.find((s) => s.uses?.startsWith('actions/download-artifact'))!;
      expect(download.with).toEqual({
        name: 'cdk-out-${{ inputs.account }}-${{ inputs.environment }}',
        path: 'apps/${{ inputs.account }}-account/cdk.out',
      });
      expect(job.steps!.some((s) => /synth|npm run review/.test(s.run ?? ''))).toBe(false);
      expect(job.steps!.filter((s) => /\bnpm ci\b/.test(s.run ?? '')).map((s) => s.run)).toEqual([
        'npm ci --ignore-scripts',
      ]);
    }
  });

  it("assumes the account's deploy role by OIDC, from the environment config, never from stored keys", () => {
    expect(named(deploy!, 'Deploy target').run).toBe(
      'node tools/deploy/bin/airlock-deploy.mjs target "${{ inputs.account }}" >> "$GITHUB_OUTPUT"',
    );
    const credentials = deploy!.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))!;
    expect(credentials.with).toMatchObject({
      'role-to-assume': '${{ steps.target.outputs.role_arn }}',
      'aws-region': '${{ steps.target.outputs.region }}',
    });
    expect(Object.keys(credentials.with!)).not.toContain('aws-access-key-id');
  });

  it('guards the account and runs the broadening gate before it diffs, deploys and verifies, and deploys only when nothing broadens', () => {
    const order = [
      index(deploy!, (s) => s.uses?.startsWith('aws-actions/configure-aws-credentials') ?? false),
      index(deploy!, (s) => s.name === 'Account guard'),
      index(deploy!, (s) => s.id === 'gate'),
      index(deploy!, (s) => s.name === 'Diff'),
      index(deploy!, (s) => s.name === 'Deploy'),
      index(deploy!, (s) => s.name?.startsWith('Verify the deployed trust') ?? false),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(deploy!.steps![order[2]!]!.run).toBe(
      'node tools/deploy/bin/airlock-deploy.mjs gate "${{ inputs.account }}"',
    );
    expect(deploy!.outputs).toEqual({ broadening: '${{ steps.gate.outputs.broadening }}' });
    for (const step of deploy!.steps!.slice(order[2]! + 1))
      expect(step.if).toContain("steps.gate.outputs.broadening == 'false'");
    for (const name of ['Account guard', 'Diff', 'Deploy'])
      expect(named(deploy!, name).run).toContain('"${{ inputs.account }}"');
    expect(named(deploy!, 'Verify the deployed trust (orchestrator)').run).toBe('npm run -s airlock -- verify-trust');
  });

  it('verifies every account against the deployed cdk.out after each deploy, and lets a MISMATCH fail the job', () => {
    for (const job of [deploy!, broadening!]) {
      const deployStep = index(job, (s) => /airlock-deploy\.mjs deploy(-broadening)? /.test(s.run ?? ''));
      const verify = index(job, (s) => s.name === 'Verify the deployment against cdk.out');
      expect(0 <= deployStep && deployStep < verify).toBe(true);
      const step = job.steps![verify]! as Step & { 'continue-on-error'?: unknown };
      expect(step.run).toBe('node tools/deploy/bin/airlock-deploy.mjs verify "${{ inputs.account }}"');
      // For all three accounts: no condition on the account, and a failing verify fails the job.
      expect(step.if ?? '').not.toContain('inputs.account');
      expect(step['continue-on-error']).toBeUndefined();
    }
  });

  it('sends a broadening deploy to the reviewer-gated environment, whose subject alone assumes the broadening role', () => {
    expect(broadening).toMatchObject({
      needs: ['build', 'deploy'],
      if: "needs.deploy.outputs.broadening == 'true'",
      environment: '${{ inputs.environment }}-${{ inputs.account }}-broadening',
      permissions: { 'id-token': 'write', contents: 'read' },
    });
    const credentials = broadening!.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))!;
    expect(credentials.with!['role-to-assume']).toBe('${{ steps.target.outputs.broadening_role_arn }}');
    const guard = index(broadening!, (s) => s.name === 'Account guard');
    const deployStep = index(broadening!, (s) => (s.run ?? '').includes('airlock-deploy.mjs deploy-broadening'));
    expect(0 <= guard && guard < deployStep).toBe(true);
  });
});

describe.each(ACCOUNTS)('drift-%s.yml', (account) => {
  const wf = workflow(`drift-${account}.yml`);

  it('runs on a daily schedule, for each environment, through the shared drift job', () => {
    expect(wf.on.schedule).toEqual([{ cron: expect.stringMatching(/^\d+ \d+ \* \* \*$/) as string }]);
    for (const environment of ['dev', 'prod'])
      expect(wf.jobs[environment]).toMatchObject({
        uses: './.github/workflows/drift-account.yml',
        with: { account, environment },
        permissions: { 'id-token': 'write', contents: 'read' },
      });
  });
});

describe('drift-account.yml', () => {
  const job = workflow('drift-account.yml').jobs.drift!;

  it("assumes only the account's drift role, from its own -drift environment, and fails on drift", () => {
    expect(job.environment).toBe('${{ inputs.environment }}-${{ inputs.account }}-drift');
    const credentials = job.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))!;
    expect(credentials.with!['role-to-assume']).toBe('${{ steps.target.outputs.drift_role_arn }}');
    expect(job.steps!.at(-1)!.run).toBe('node tools/deploy/bin/airlock-deploy.mjs drift "${{ inputs.account }}"');
  });
});
