import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CliError } from '@airlock/operator';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { awsCanaryDeps } from '../src/aws-canary-deps.js';
import { runCanary } from '../src/canary.js';
import { PROBE_CLAIMS_NOTE, type CheckLine } from '../src/check-line.js';
import { summaryMarkdown } from '../src/report.js';
import { canaryFixture, containedFindings, env } from './canary-fixture.js';

const failures = (lines: CheckLine[]) => lines.filter((l) => l.verdict === 'FAIL').map((l) => l.check);

describe('airlock-canary against AWS (mocked clients)', () => {
  it('passes when both runs succeed, the probe reaches nothing forbidden and runs/ is empty', async () => {
    const { deps, lines: progress, mocks } = canaryFixture();
    const lines = await runCanary(env, deps);
    expect(failures(lines)).toEqual([]);
    expect(lines.find((l) => l.check === 'example run')?.verdict).toBe('PASS');
    expect(lines.find((l) => l.check === 'probe: DNS example.com')).toEqual({
      check: 'probe: DNS example.com',
      verdict: 'PASS',
      detail: 'not reached (ENOTFOUND)',
    });
    // The same live progress as `airlock submit`, and runs named canary-*.
    expect(progress).toContain('  ✓ Prepare              1.5s');
    expect(mocks.sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([
      'canary-id1',
      'canary-id2',
    ]);
  });

  it('fails naming the run when the example run fails, with the record’s reason', async () => {
    const { deps } = canaryFixture({ statuses: ['FAILED', 'SUCCEEDED'] });
    const lines = await runCanary(env, deps);
    expect(failures(lines)).toEqual(['example run']);
    expect(lines[0]?.detail).toBe('run canary-id1 FAILED: prepare refused the archive');
  });

  it('fails naming each finding when the probe reaches an address, a name, another bucket or a neighbour', async () => {
    const findings = containedFindings();
    const { deps } = canaryFixture({
      findings: {
        ...findings,
        internet: [{ target: '1.1.1.1:443', reached: true, detail: 'connected' }],
        dns: [{ target: 'example.com', reached: true, detail: 'resolved to 93.184.215.14' }],
        foreignBucket: { ...findings.foreignBucket, reached: true, detail: 'HTTP 404 NoSuchBucket' },
        metadata: [{ target: '169.254.170.2/v2/credentials/', reached: true, credentials: true, detail: 'HTTP 200' }],
        environments: [...findings.environments, { pid: '9', self: false, readable: true, secrets: ['INPUT_URL'] }],
        identity: { uid: 0, gid: 0, capEff: '00000000a80425fb', capBnd: '00000000a80425fb' },
      },
    });
    expect(failures(await runCanary(env, deps))).toEqual([
      'probe: metadata 169.254.170.2/v2/credentials/',
      'probe: DNS example.com',
      'probe: internet 1.1.1.1:443',
      'probe: a foreign bucket through the S3 endpoint',
      "probe: other processes' environments",
      'probe: not root',
      'probe: no capabilities',
      'probe: scratch volume owned by the task user',
    ]);
  });

  it('fails, on AWS, findings that claim the rehearsal, leave a target untried or report no attempt of a kind', async () => {
    const findings = containedFindings();
    const { deps } = canaryFixture({
      findings: {
        ...findings,
        mode: 'rehearsal',
        metadata: [{ ...findings.metadata[1], reached: null, detail: 'not tried' }],
        dns: [],
        internet: [{ target: '1.1.1.1:443', reached: null, detail: 'not tried' }],
      },
    });
    const lines = await runCanary(env, deps);
    expect(failures(lines)).toEqual([
      'probe: findings from where it was sent',
      'probe: DNS',
      'probe: metadata 169.254.170.2/v2/credentials/',
      'probe: internet 1.1.1.1:443',
    ]);
    expect(lines.find((l) => l.check === 'probe: internet 1.1.1.1:443')?.detail).toBe(
      'not tried on AWS (not tried): the canary cannot vouch for it',
    );
  });

  it('shows control characters of findings and reasons as codes: no terminal escape, no line of their own', async () => {
    const hostile = 'x\u001b[2J\u001b]0;owned\u0007\u009b1m\n```\n<img src=x onerror=alert(1)>\n# PASS everything';
    const findings = containedFindings();
    const {
      deps,
      mocks,
      lines: progress,
    } = canaryFixture({
      statuses: ['FAILED', 'SUCCEEDED'],
      findings: { ...findings, dns: [{ target: hostile, reached: false, detail: hostile }] },
    });
    mocks.dynamodb.on(GetItemCommand).resolves({ Item: { status: { S: 'FAILED' }, reason: { S: hostile } } });
    const lines = await runCanary(env, deps);
    const summary = summaryMarkdown('example', 'aws', lines);
    // eslint-disable-next-line no-control-regex -- control characters are what this test looks for
    const control = /[\u0000-\u001f\u007f-\u009f]/;
    for (const text of [...lines.flatMap((l) => [l.check, l.detail]), ...progress]) expect(text).not.toMatch(control);
    expect(lines.find((l) => l.check.startsWith('probe: DNS'))?.detail).toBe(
      'not reached (x\\x1b[2J\\x1b]0;owned\\x07\\x9b1m\\x0a```\\x0a<img src=x onerror=alert(1)>\\x0a# PASS everything)',
    );
    // The summary's only fences are its own: the findings stay inside the code block, and it says whose they are.
    expect(summary.split('\n').filter((l) => l.startsWith('```') || l.startsWith('<') || l.startsWith('#'))).toEqual([
      '## Canary of "example" (aws): 1 finding(s)',
      '```',
      '```',
    ]);
    expect(summary).toContain(PROBE_CLAIMS_NOTE);
  });

  it('fails when the probe run’s report holds no findings', async () => {
    const { deps } = canaryFixture({ findings: { contained: true } });
    const lines = await runCanary(env, deps);
    expect(failures(lines)).toEqual(['probe run']);
    expect(lines.find((l) => l.check === 'probe: findings')?.verdict).toBe('NOT CHECKED');
  });

  it('fails naming the leftover objects under runs/', async () => {
    const { deps } = canaryFixture({ leftovers: ['output.json'] });
    const lines = await runCanary(env, deps);
    expect(failures(lines)).toEqual(['example run: nothing left under runs/', 'probe run: nothing left under runs/']);
    expect(lines.at(-1)?.detail).toBe('left: runs/canary-id2/output.json');
  });

  it('says in one line that the environment is not fully deployed when the analysis workflow is missing', async () => {
    const { deps, mocks } = canaryFixture();
    mocks.sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('State Machine Does Not Exist'), { name: 'StateMachineDoesNotExist' }));
    const refusal = runCanary(env, deps);
    await expect(refusal).rejects.toBeInstanceOf(CliError);
    await expect(refusal).rejects.toThrow(
      /^environment "example" is not fully deployed: the analysis workflow arn:aws:states:eu-west-1:111111111111:stateMachine:airlock-example-analysis does not exist\. Fix: deploy the orchestrator app/,
    );
  });

  it('fails (exit 1, not the pipeline\'s "not deployed" warning) when a deployed canary role is refused a call', async () => {
    const { deps, mocks } = canaryFixture();
    mocks.sfn
      .on(StartExecutionCommand)
      .rejects(
        Object.assign(new Error('not authorized to perform states:StartExecution'), { name: 'AccessDeniedException' }),
      );
    await expect(runCanary(env, deps)).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/^a canary role was refused \(not authorized to perform states:StartExecution\)/),
    });
  });
});

describe('canary credentials', () => {
  const sts = mockClient(STSClient);
  afterEach(() => sts.reset());

  it('says what to do when there are no credentials to assume the canary roles with', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      );
    const saved = { url: process.env.ACTIONS_ID_TOKEN_REQUEST_URL, token: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN };
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    try {
      await expect(awsCanaryDeps(env, () => undefined)).rejects.toThrow(
        'no AWS credentials to assume arn:aws:iam::111111111111:role/airlock-example-orchestrator-canary. Fix: run in the "example-canary" GitHub environment with "id-token: write", or sign in (aws sso login) as a principal the canary role trusts',
      );
    } finally {
      if (saved.url) process.env.ACTIONS_ID_TOKEN_REQUEST_URL = saved.url;
      if (saved.token) process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = saved.token;
    }
  });

  it('names the role and the GitHub environment when STS refuses it (role missing or wrong subject)', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' }));
    await expect(awsCanaryDeps(env, () => undefined)).rejects.toThrow(
      /cannot assume the canary role arn:aws:iam::111111111111:role\/airlock-example-orchestrator-canary \(not authorized to perform sts:AssumeRole\)\. Fix: the role trusts only the "example-canary" GitHub environment of example-org\/airlock/,
    );
  });

  it('fails when the orchestrator canary role (deployed with the calling workflow) is refused; warns only for the data role', async () => {
    const refused = Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' });
    sts.on(AssumeRoleCommand).rejects(refused);
    await expect(awsCanaryDeps(env, () => undefined)).rejects.toMatchObject({ exitCode: 1 });
    sts.reset();
    sts
      .on(AssumeRoleCommand, { RoleArn: 'arn:aws:iam::111111111111:role/airlock-example-orchestrator-canary' })
      .resolves({ Credentials: { AccessKeyId: 'a', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date() } })
      .on(AssumeRoleCommand, { RoleArn: 'arn:aws:iam::333333333333:role/airlock-example-data-canary' })
      .rejects(refused);
    await expect(awsCanaryDeps(env, () => undefined)).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringContaining(
        'cannot assume the canary role arn:aws:iam::333333333333:role/airlock-example-data-canary',
      ),
    });
  });
});
