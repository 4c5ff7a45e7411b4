import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCOUNT_ROLES, loadEnvironment, type AccountRole } from '@airlock/shared/environment';
import { describe, expect, it } from 'vitest';
import { baselineOf, serializeBaseline } from '../src/baseline.js';
import { exitCodeOf, review, EXIT } from '../src/review.js';
import { accountStack, cloudAssemblyDir, loadTrustSurface } from '@airlock/cloud-assembly';

// Templates synthesized by the apps' `synth` targets (the test target depends on them).
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
const env = loadEnvironment('example');

// Templates are edited freely here, as a person editing JSON would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary template JSON under mutation
type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };

/** A temporary workspace with copies of the real cloud assemblies and a baseline reviewed from them. */
function scratch() {
  const root = mkdtempSync(join(tmpdir(), 'airlock-review-'));
  for (const account of ACCOUNT_ROLES) {
    const from = cloudAssemblyDir(workspaceRoot, account);
    const to = cloudAssemblyDir(root, account);
    mkdirSync(to, { recursive: true });
    // The manifests and templates, not the asset directories.
    for (const f of readdirSync(from, { withFileTypes: true }).filter((e) => e.isFile()))
      cpSync(join(from, f.name), join(to, f.name));
  }
  const baselineFile = join(root, 'trust-baseline.json');
  writeFileSync(baselineFile, serializeBaseline(baselineOf(loadTrustSurface(env, root))));
  /** Edits the main template of an account in place. */
  const edit = (account: AccountRole, change: (t: Template) => void) => {
    const file = accountStack(env, root, account).templateFullPath;
    const template = JSON.parse(readFileSync(file, 'utf8')) as Template;
    change(template);
    writeFileSync(file, JSON.stringify(template));
  };
  /** Edits an account's deploy-access template (its deploy roles and their managed policies) in place. */
  const editDeployAccess = (account: AccountRole, change: (t: Template) => void) => {
    const file = join(
      cloudAssemblyDir(root, account),
      `${accountStack(env, root, account).stackName}-deploy-access.template.json`,
    );
    const template = JSON.parse(readFileSync(file, 'utf8')) as Template;
    change(template);
    writeFileSync(file, JSON.stringify(template));
  };
  const run = () => review(env, root, baselineFile);
  return { edit, editDeployAccess, run };
}

const role = (t: Template, name: string) =>
  Object.values(t.Resources).find((r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === name)!.Properties;
const trustOf = (t: Template, name: string) => role(t, name).AssumeRolePolicyDocument.Statement[0];
const messages = (result: Awaited<ReturnType<ReturnType<typeof scratch>['run']>>) =>
  result.findings.map((f) => `${f.rule}: ${f.subject}: ${f.message}`);

describe('trust review of the synthesized accounts', () => {
  it('finds nothing, simulates every case as expected and matches its own baseline', async () => {
    const result = await scratch().run();
    expect(result.findings).toEqual([]);
    expect(result.simulation.length).toBeGreaterThanOrEqual(20);
    expect(result.simulation.every((r) => r.passed)).toBe(true);
    expect(result.drift).toEqual([]);
    expect(exitCodeOf(result)).toBe(EXIT.CLEAN);
  });

  it('matches the committed baseline (an unreviewed trust change fails here)', async () => {
    const result = await review(env, workspaceRoot, join(workspaceRoot, 'security', 'trust-baseline.json'));
    expect(result.drift).toEqual([]);
  });
});

describe('trust review catches each way trust can break', () => {
  it('fails when the ExternalId condition is removed', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => delete trustOf(t, 'airlock-example-sandbox-launcher').Condition.StringEquals);
    const result = await ws.run();
    expect(messages(result)).toContain(
      'cross-account-trust: role airlock-example-sandbox-launcher: cross-account trust without sts:ExternalId',
    );
    expect(messages(result)).toContainEqual(
      expect.stringMatching(
        /^simulation: orchestrator execution role, no ExternalId: sts:AssumeRole on .*sandbox-launcher was Allowed, expected Denied$/,
      ),
    );
    expect(exitCodeOf(result)).toBe(EXIT.FINDINGS);
  });

  it('fails when the ExternalId is tested with StringEqualsIfExists', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      const s = trustOf(t, 'airlock-example-data-invoker');
      s.Condition.StringEqualsIfExists = s.Condition.StringEquals;
      delete s.Condition.StringEquals;
    });
    const found = messages(await ws.run());
    expect(found).toContain(
      'no-missing-key-pass: role airlock-example-data-invoker: condition StringEqualsIfExists sts:ExternalId passes when the key is missing',
    );
    expect(found).toContain(
      'cross-account-trust: role airlock-example-data-invoker: sts:ExternalId is tested with StringEqualsIfExists; only StringEquals is allowed',
    );
  });

  it('fails when the principal is widened to the account root without the PrincipalArn condition', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => delete trustOf(t, 'airlock-example-sandbox-launcher').Condition.ArnEquals);
    const found = messages(await ws.run());
    expect(found).toContain(
      'cross-account-trust: role airlock-example-sandbox-launcher: trusts account root arn:aws:iam::111111111111:root without ArnEquals aws:PrincipalArn = arn:aws:iam::111111111111:role/airlock-example-orchestrator',
    );
    expect(found).toContainEqual(
      expect.stringMatching(
        /^simulation: airlock-example-orchestrator-deploy \(allowed sts:AssumeRole on "\*"\), right ExternalId: .* was Allowed, expected Denied$/,
      ),
    );
  });

  it('fails on Principal "*"', async () => {
    const ws = scratch();
    ws.edit('data', (t) => (trustOf(t, 'airlock-example-data-invoker').Principal = { AWS: '*' }));
    expect(messages(await ws.run())).toContain(
      'no-wildcard-principal: role airlock-example-data-invoker: admits any principal ("*")',
    );
  });

  it('fails on a bucket policy that grants the sandbox account', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      const policy = Object.values(t.Resources).find(
        (r) => r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties.Bucket).includes('StoreData'),
      )!;
      policy.Properties.PolicyDocument.Statement.push({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::222222222222:root' },
        Action: 's3:GetObject',
        Resource: '*',
      });
    });
    expect(messages(await ws.run())).toContainEqual(
      expect.stringMatching(
        /^no-cross-account-resource-policy: AWS::S3::BucketPolicy .*: grants arn:aws:iam::222222222222:root \(another account\)$/,
      ),
    );
  });

  it('fails when the sandbox task gets a task role', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => {
      const task = Object.values(t.Resources).find((r) => r.Type === 'AWS::ECS::TaskDefinition')!;
      task.Properties.TaskRoleArn = 'arn:aws:iam::222222222222:role/sneaky';
    });
    expect(messages(await ws.run())).toContain(
      'sandbox-task-no-role: task definition airlock-example-runner: has task role arn:aws:iam::222222222222:role/sneaky',
    );
  });

  it('fails when the orchestrator role may sts:AssumeRole on "*"', async () => {
    const ws = scratch();
    ws.edit('orchestrator', (t) => {
      const policy = Object.values(t.Resources).find((r) => r.Type === 'AWS::IAM::Policy')!;
      policy.Properties.PolicyDocument.Statement[0].Resource = '*';
    });
    expect(messages(await ws.run())).toContain(
      'exact-assume-role-targets: role airlock-example-orchestrator: may sts:AssumeRole on *',
    );
  });

  it('fails when a role the simulation knows by name is gone, instead of dropping its cases', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => (role(t, 'airlock-example-sandbox-launcher').RoleName = 'airlock-example-renamed'));
    expect(messages(await ws.run())).toContain(
      'simulation: role named by the design is in the templates: - on - was not found: the role was renamed or removed, so nothing proves it cannot reach data, expected Denied',
    );
  });

  it('reports a changed permission as the added and removed statements in words, with exit code 2', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => {
      const statements = role(t, 'airlock-example-sandbox-launcher').Policies[0].PolicyDocument.Statement;
      const follow = statements.findIndex((st: { Sid?: string }) => st.Sid === 'FollowLaunchExecutions');
      expect(follow).toBeGreaterThanOrEqual(0);
      statements.splice(follow, 1);
      statements.push({ Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*' });
    });
    const result = await ws.run();
    expect(result.findings).toEqual([]);
    expect(result.drift).toEqual([
      'role sandbox/{prefix}-{env}-sandbox-launcher: - permission: Allow states:DescribeExecution, states:StopExecution on arn:aws:states:{region}:{sandbox}:execution:{prefix}-{env}-launch:*',
      'role sandbox/{prefix}-{env}-sandbox-launcher: + permission: Allow ecs:ListTasks on *',
    ]);
    expect(exitCodeOf(result)).toBe(EXIT.DRIFT);
  });

  it('reports a changed customer managed policy as its added statement in words', async () => {
    const ws = scratch();
    ws.editDeployAccess('data', (t) => {
      const policy = Object.values(t.Resources).find((r) => r.Type === 'AWS::IAM::ManagedPolicy')!;
      policy.Properties.PolicyDocument.Statement.push({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' });
    });
    const result = await ws.run();
    expect(result.drift).toEqual([
      expect.stringMatching(
        /^managed policy data\/\{prefix\}-\{env\}-data-[\w-]+: \+ statement: Allow sqs:SendMessage on \*$/,
      ),
    ]);
    expect(exitCodeOf(result)).toBe(EXIT.DRIFT);
  });

  it('reports a trust change as the removed and the added trust statement in words', async () => {
    const ws = scratch();
    ws.edit(
      'orchestrator',
      (t) => (trustOf(t, 'airlock-example-orchestrator').Condition.StringEquals['aws:SourceAccount'] = '999999999999'),
    );
    const result = await ws.run();
    const roleDrift = result.drift.filter((d) => d.startsWith('role orchestrator/{prefix}-{env}-orchestrator:'));
    expect(roleDrift).toEqual([
      expect.stringMatching(
        /: - trust: Admits Step Functions \(states\.amazonaws\.com\), only when aws:SourceAccount is \{orchestrator\}/,
      ),
      expect.stringMatching(
        /: \+ trust: Admits Step Functions \(states\.amazonaws\.com\), only when aws:SourceAccount is 999999999999/,
      ),
    ]);
  });
});
