import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/check-result.js';
import { verificationReport } from '../src/verification-report.js';
import { verifyAgainstAssembly } from '../src/verify-against-assembly.js';
import { env, faithfulAccount, readClientsOf, workspaceRoot, type FakeAccount } from './fake-account.js';

const verify = (account: 'orchestrator' | 'sandbox' | 'data', fake: FakeAccount) =>
  verifyAgainstAssembly(env, account, workspaceRoot, readClientsOf(fake));
const withStatus = (results: CheckResult[], status: CheckResult['status']) =>
  results.filter((r) => r.status === status);
const only = (results: CheckResult[], status: CheckResult['status']) => {
  const found = withStatus(results, status);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const roleNamed = (fake: FakeAccount, fragment: string) => {
  const name = [...fake.roles.keys()].find((n) => n.includes(fragment));
  if (!name) throw new Error(`no role with ${fragment} among ${[...fake.roles.keys()].join(', ')}`);
  return { name, role: fake.roles.get(name)! };
};

describe('verifyAgainstAssembly on a faithful deploy', () => {
  it.each(['orchestrator', 'sandbox', 'data'] as const)(
    'reads every role, state machine and network check of the %s stack VERIFIED',
    async (account) => {
      const fake = faithfulAccount(account);
      const results = await verify(account, fake);
      expect(withStatus(results, 'MISMATCH')).toEqual([]);
      const subjects = withStatus(results, 'VERIFIED').map((r) => r.subject);
      for (const role of fake.roles.keys()) expect(subjects.some((s) => s.startsWith(`role ${role} (`))).toBe(true);
      for (const arn of fake.stateMachines.keys()) expect(subjects).toContain(`state machine ${arn.split(':').pop()}`);
      for (const id of fake.flowLogs.keys()) expect(subjects.some((s) => s.startsWith(`flow log ${id}`))).toBe(true);
      for (const bucket of fake.bucketPolicies.keys()) expect(subjects).toContain(`bucket policy of ${bucket}`);
      for (const arn of fake.taskDefinitions.keys()) expect(subjects).toContain(`task definition ${arn}`);
      expect(subjects).toContain("the reading role's read access");
      // Nothing is NOT CHECKED for want of a permission.
      expect(results.filter((r) => r.deniedPermission)).toEqual([]);
    },
  );

  it('checks the prefix lists of the sandbox (S3) and data (S3, DynamoDB) config, none for the orchestrator', async () => {
    const prefixSubjects = async (account: 'orchestrator' | 'sandbox' | 'data') =>
      (await verify(account, faithfulAccount(account)))
        .filter((r) => r.subject.startsWith('prefix list'))
        .map((r) => `${r.status} ${r.subject}`);
    expect(await prefixSubjects('sandbox')).toEqual([
      `VERIFIED prefix list sandbox.s3PrefixListId (${env.sandbox.s3PrefixListId})`,
    ]);
    expect(await prefixSubjects('data')).toEqual([
      `VERIFIED prefix list data.s3PrefixListId (${env.data.s3PrefixListId})`,
      `VERIFIED prefix list data.dynamodbPrefixListId (${env.data.dynamodbPrefixListId})`,
    ]);
    expect(await prefixSubjects('orchestrator')).toEqual([]);
  });

  it('compares an unencrypted definition, and lists an encrypted one NOT CHECKED (the lookup role cannot decrypt it)', async () => {
    const results = await verify('sandbox', faithfulAccount('sandbox'));
    expect(results.find((r) => r.subject === 'state machine airlock-example-launch-reaper')?.detail).toMatch(
      /^definition, /,
    );
    expect(results.find((r) => r.subject === 'state machine airlock-example-launch')?.detail).not.toMatch(/definition/);
    expect(results.find((r) => r.subject === 'state machine airlock-example-launch definition')).toMatchObject({
      status: 'NOT CHECKED',
      detail: expect.stringContaining('kms:Decrypt') as string,
    });
  });

  it('lists each unverified item no read answers as NOT CHECKED, saying who answers it', async () => {
    const results = await verify('sandbox', faithfulAccount('sandbox'));
    const notChecked = withStatus(results, 'NOT CHECKED').map((r) => `${r.subject}: ${r.detail}`);
    for (const item of [
      /non-zero container exit.*canary/,
      /bind-mounted scratch volume for uid 10001.*canary/,
      /DNS firewall association/,
    ])
      expect(notChecked.some((line) => item.test(line))).toBe(true);
  });
});

describe('verifyAgainstAssembly finds what differs', () => {
  it('an extra action in a role names the role, the policy and the action', async () => {
    const fake = faithfulAccount('data');
    const { name, role } = roleNamed(fake, 'PrepareRole');
    const [policyName, doc] = [...role.inline][0]!;
    doc.Statement.push({ Effect: 'Allow', Action: 's3:DeleteObject', Resource: '*' });
    const mismatch = only(await verify('data', fake), 'MISMATCH');
    expect(mismatch.subject).toBe(`role ${name} (PrepareRole35546079)`);
    expect(mismatch.detail).toContain(`inline policy ${policyName}: extra statement`);
    expect(mismatch.detail).toContain('s3:DeleteObject');
  });

  it('an action added to an existing statement is named as that field', async () => {
    const fake = faithfulAccount('data');
    const { role } = roleNamed(fake, 'PrepareRole');
    const doc = [...role.inline.values()][0]!;
    const statement = doc.Statement[0]!;
    statement.Action = [...[statement.Action].flat(), 'iam:PassRole'];
    expect(only(await verify('data', fake), 'MISMATCH').detail).toMatch(/Action extra iam:PassRole/);
  });

  it('a changed trust condition (the execution role without its aws:SourceArn) names the condition', async () => {
    const fake = faithfulAccount('orchestrator');
    const { name, role } = roleNamed(fake, 'orchestrator');
    const statement = role.trust.Statement.find((s) => JSON.stringify(s).includes('aws:SourceArn'))!;
    const conditions = statement.Condition as Record<string, Record<string, unknown>>;
    for (const operator of Object.values(conditions)) delete operator['aws:SourceArn'];
    const mismatch = only(await verify('orchestrator', fake), 'MISMATCH');
    expect(mismatch.subject).toBe(`role ${name} (ExecutionRole605A040B)`);
    expect(mismatch.detail).toMatch(
      /^trust: statement .*Condition .*aws:SourceArn synthesized \[".*"\], deployed none/,
    );
  });

  it('a trust that admits another principal reads MISMATCH', async () => {
    const fake = faithfulAccount('data');
    const { role } = roleNamed(fake, 'data-invoker');
    role.trust.Statement.push({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999999999999:root' },
      Action: 'sts:AssumeRole',
    });
    expect(only(await verify('data', fake), 'MISMATCH').detail).toMatch(/^trust: extra statement .*999999999999/);
  });

  it('an extra attached policy (the kill switch left on) and a removed boundary read MISMATCH', async () => {
    const fake = faithfulAccount('sandbox');
    const { role } = roleNamed(fake, 'sandbox-launcher');
    role.attached.push('arn:aws:iam::222222222222:policy/airlock-example-kill-switch');
    role.boundary = undefined;
    const detail = only(await verify('sandbox', fake), 'MISMATCH').detail;
    expect(detail).toContain('extra attached policy arn:aws:iam::222222222222:policy/airlock-example-kill-switch');
    expect(detail).toMatch(
      /permissions boundary synthesized arn:aws:iam::222222222222:policy\/airlock-example-sandbox-boundary, deployed none/,
    );
  });

  it('a changed state machine definition names the path that differs', async () => {
    const fake = faithfulAccount('data');
    const arn = `arn:aws:states:${env.region}:${env.accounts.data}:stateMachine:airlock-example-data-plane`;
    const machine = fake.stateMachines.get(arn)!;
    const definition = JSON.parse(String(machine.definition)) as {
      StartAt: string;
      States: Record<string, { Resource?: string }>;
    };
    const [firstName] = Object.keys(definition.States);
    definition.States[firstName!]!.Resource = 'arn:aws:states:::lambda:invoke';
    machine.definition = JSON.stringify(definition);
    const mismatch = only(await verify('data', fake), 'MISMATCH');
    expect(mismatch.subject).toBe('state machine airlock-example-data-plane');
    expect(mismatch.detail).toContain(`definition: States.${firstName}.Resource synthesized`);
  });

  it("a state machine's role, logging or encryption that differs reads MISMATCH, encrypted or not", async () => {
    const fake = faithfulAccount('orchestrator');
    const machine = [...fake.stateMachines.values()][0]!;
    machine.roleArn = 'arn:aws:iam::111111111111:role/someone-else';
    (machine.loggingConfiguration as { level: string }).level = 'OFF';
    machine.encryptionConfiguration = { type: 'AWS_OWNED_KEY' };
    const detail = only(await verify('orchestrator', fake), 'MISMATCH').detail;
    expect(detail).toContain('roleArn synthesized "arn:aws:iam::111111111111:role/airlock-example-orchestrator"');
    expect(detail).toContain('logging.level synthesized "ALL", deployed "OFF"');
    expect(detail).toContain('encryption.type synthesized "CUSTOMER_MANAGED_KMS_KEY", deployed "AWS_OWNED_KEY"');
  });

  it('a wrong prefix-list ID names the field, the right ID and the fix', async () => {
    const fake = faithfulAccount('data');
    fake.prefixLists.set(`com.amazonaws.${env.region}.dynamodb`, 'pl-0123456789abcdef0');
    const mismatch = only(await verify('data', fake), 'MISMATCH');
    expect(mismatch).toEqual({
      status: 'MISMATCH',
      subject: `prefix list data.dynamodbPrefixListId (${env.data.dynamodbPrefixListId})`,
      detail: `com.amazonaws.${env.region}.dynamodb is pl-0123456789abcdef0, not ${env.data.dynamodbPrefixListId}. Fix: set data.dynamodbPrefixListId to "pl-0123456789abcdef0" in packages/shared/environments/example.json`,
    });
  });

  it('a flow log that is off or not delivering, a changed bucket policy and a different image read MISMATCH', async () => {
    const data = faithfulAccount('data');
    const flowLog = [...data.flowLogs.values()][0]!;
    flowLog.DeliverLogsStatus = 'FAILED';
    const [bucket, policy] = [...data.bucketPolicies][0]!;
    policy.Statement = policy.Statement.filter((s) => s.Effect !== 'Deny');
    const dataMismatches = withStatus(await verify('data', data), 'MISMATCH');
    expect(dataMismatches.map((m) => m.subject)).toEqual([
      `flow log ${String(flowLog.FlowLogId)} of ${String(flowLog.ResourceId)}`,
      `bucket policy of ${bucket}`,
    ]);
    expect(dataMismatches[0]!.detail).toBe('delivery synthesized "SUCCESS", deployed "FAILED"');
    expect(dataMismatches[1]!.detail).toMatch(/^missing statement .*"Effect":"Deny"/);

    const sandbox = faithfulAccount('sandbox');
    sandbox.flowLogs.clear();
    const task = [...sandbox.taskDefinitions.values()][0]!;
    const containers = task.containerDefinitions as Array<{ name: string; image: string }>;
    containers[0]!.image = 'public.ecr.aws/somebody/else:latest';
    const sandboxMismatches = withStatus(await verify('sandbox', sandbox), 'MISMATCH');
    expect(sandboxMismatches.map((m) => m.detail)).toEqual([
      'not found: the flow log is off',
      expect.stringMatching(
        new RegExp(
          `^containers\\.${containers[0]!.name}\\.image synthesized ".*", deployed "public\\.ecr\\.aws/somebody/else:latest"$`,
        ),
      ),
    ]);
  });
});

describe('verifyAgainstAssembly when it cannot read', () => {
  it('an AccessDenied reads NOT CHECKED naming the permission, and the read-access line says which were denied', async () => {
    const fake = faithfulAccount('sandbox');
    fake.denied.add('GetRole');
    const results = await verify('sandbox', fake);
    expect(withStatus(results, 'MISMATCH')).toEqual([]);
    const roleLines = results.filter((r) => r.subject.startsWith('role '));
    expect(roleLines.length).toBe(fake.roles.size);
    for (const line of roleLines) {
      expect(line.status).toBe('NOT CHECKED');
      expect(line.detail).toMatch(/^iam:GetRole was denied to the reading role \(AccessDenied/);
    }
    expect(results.at(-1)).toMatchObject({
      status: 'NOT CHECKED',
      subject: "the reading role's read access",
      detail: expect.stringMatching(/^denied iam:GetRole;/) as string,
    });
  });

  it('a state machine missing from the account reads MISMATCH "not deployed", naming the call', async () => {
    const fake = faithfulAccount('data');
    fake.stateMachines.delete(
      `arn:aws:states:${env.region}:${env.accounts.data}:stateMachine:airlock-example-data-plane`,
    );
    expect(only(await verify('data', fake), 'MISMATCH')).toEqual({
      status: 'MISMATCH',
      subject: 'state machine airlock-example-data-plane',
      detail: expect.stringMatching(
        /^not deployed: states:DescribeStateMachine answered StateMachineDoesNotExist/,
      ) as string,
    });
  });

  it('a stack that is not deployed reads one MISMATCH, not a stack trace', async () => {
    const fake = faithfulAccount('sandbox');
    fake.stackMissing = true;
    const results = await verify('sandbox', fake);
    expect(only(results, 'MISMATCH')).toEqual({
      status: 'MISMATCH',
      subject: 'stack airlock-example-sandbox',
      detail: expect.stringMatching(
        /^not deployed: cloudformation:ListStackResources answered ValidationError \(Stack with id airlock-example-sandbox does not exist\)/,
      ) as string,
    });
    expect(results.some((r) => r.subject.startsWith('role '))).toBe(false);
  });
});

describe('verificationReport', () => {
  it('lists every line, puts MISMATCH and NOT CHECKED first in the summary, and returns the mismatches', async () => {
    const fake = faithfulAccount('data');
    fake.prefixLists.set(`com.amazonaws.${env.region}.s3`, 'pl-0aaaaaaaaaaaaaaaa');
    const results = await verify('data', fake);
    const report = verificationReport('airlock-example-data against cdk.out', results);
    expect(report.lines).toHaveLength(results.length);
    expect(report.mismatches).toEqual([expect.stringMatching(/^MISMATCH prefix list data\.s3PrefixListId/)]);
    expect(
      report.markdown.startsWith('### airlock-example-data against cdk.out: 1 MISMATCH\n\n#### MISMATCH (1)\n'),
    ).toBe(true);
    expect(report.markdown.indexOf('#### NOT CHECKED')).toBeLessThan(report.markdown.indexOf('#### VERIFIED'));
  });
});
