import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workspaceRoot } from './workspace.js';

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; if?: string };
type Job = {
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  environment?: string;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  permissions?: Record<string, string>;
  steps?: Step[];
};
type Workflow = { on: Record<string, unknown>; permissions?: Record<string, string>; jobs: Record<string, Job> };

const dir = join(workspaceRoot, '.github/workflows');
const text = (file: string) => readFileSync(join(dir, file), 'utf8');
const workflow = (file: string) => parse(text(file)) as Workflow;
const validator = join(workspaceRoot, 'node_modules/@action-validator/cli/cli.mjs');
const validate = (file: string) => spawnSync(process.execPath, [validator, file], { encoding: 'utf8' });

const ACCOUNTS = ['orchestrator', 'sandbox', 'data'] as const;

describe('workflow files', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.yml')))('%s passes the GitHub Actions schema', (file) => {
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
    expect(steps.at(-2)!.run).toMatch(/^npx nx affected -t lint typecheck test synth bundle-sizes/);
    expect(steps.at(-1)!.run).toContain('npm run review');
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
    expect(Object.keys(wf.jobs)).toEqual(['affected', 'dev', 'prod']);
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
    expect(wf.jobs.prod!.needs).toBe('dev');
  });
});

describe('deploy-account.yml (the deploy job every account uses)', () => {
  const wf = workflow('deploy-account.yml');
  const job = wf.jobs.deploy!;
  const steps = job.steps!;
  const index = (match: (s: Step) => boolean) => steps.findIndex(match);

  it('runs in the GitHub environment of the target (prod behind its protection rules), one deploy at a time per account+environment', () => {
    expect(job.environment).toBe('${{ inputs.environment }}');
    expect(job.concurrency).toEqual({
      group: 'deploy-${{ inputs.account }}-${{ inputs.environment }}',
      'cancel-in-progress': false,
    });
    expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
  });

  it("assumes the account's deploy role by OIDC, from the environment config, never from stored keys", () => {
    const target = steps[index((s) => s.name === 'Deploy target')]!;
    expect(target.run).toBe(
      'node tools/deploy/bin/airlock-deploy.mjs target "${{ inputs.account }}" >> "$GITHUB_OUTPUT"',
    );
    const credentials = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))!;
    expect(credentials.with).toMatchObject({
      'role-to-assume': '${{ steps.target.outputs.role_arn }}',
      'aws-region': '${{ steps.target.outputs.region }}',
    });
    expect(Object.keys(credentials.with!)).not.toContain('aws-access-key-id');
  });

  it('tests, synthesizes and reviews trust before it guards the account, diffs and deploys only its own app, then verifies', () => {
    const order = [
      index((s) => s.name === 'Test'),
      index((s) => s.name === 'Synth'),
      index((s) => s.name?.startsWith('Trust review') ?? false),
      index((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials') ?? false),
      index((s) => s.name === 'Account guard'),
      index((s) => s.name === 'Diff'),
      index((s) => s.name === 'Deploy'),
      index((s) => s.name?.startsWith('Verify the deployed trust') ?? false),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(steps[order[0]!]!.run).toContain('-p "$APP"');
    for (const name of ['Account guard', 'Diff', 'Deploy'])
      expect(steps.find((s) => s.name === name)!.run).toContain('"${{ inputs.account }}"');
    expect(steps.find((s) => s.name?.startsWith('Verify the deployed trust'))!.run).toBe(
      'npm run -s airlock -- verify-trust',
    );
  });
});
