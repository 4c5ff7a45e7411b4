import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, review, EXIT } from '../src/review.js';
import { editDefinition, env, scratch, workspaceRoot, type Template } from './scratch-workspace.js';

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

describe('trust review proves presigned URLs work only through the sandbox network', () => {
  const bucketPolicies = (t: Template) =>
    Object.entries(t.Resources).filter(([, r]) => r.Type === 'AWS::S3::BucketPolicy');
  const dataBucketPolicy = (t: Template) =>
    bucketPolicies(t).find(([, r]) => JSON.stringify(r.Properties.Bucket).includes('StoreData'))![1];
  const statements = (t: Template) => dataBucketPolicy(t).Properties.PolicyDocument.Statement as { Sid?: string }[];
  const SIGNER_DENY = 'SignerOnlyThroughTheSandboxNetwork';
  const perimeterRows = (result: Awaited<ReturnType<ReturnType<typeof scratch>['run']>>) =>
    result.simulation
      .filter((r) => r.hop === 'airlock-example-data-url-signer session → data bucket')
      .map((r) => `${r.case}: ${r.actual}`);

  it("simulates the signer's session: GET and POST inside allowed; outside, another endpoint, bucket policy alone denied", async () => {
    expect(perimeterRows(await scratch().run())).toEqual([
      'presigned GET of the input, through a sandbox-account endpoint: Allowed',
      'presigned GET of the input, from the internet (no endpoint): Denied',
      "presigned GET of the input, through another account's endpoint: Denied",
      'presigned GET of the input, from the internet, bucket policy alone (no session policy): Denied',
      'presigned POST of the output, through a sandbox-account endpoint: Allowed',
      'presigned POST of the output, from the internet (no endpoint): Denied',
      "presigned POST of the output, through another account's endpoint: Denied",
      'presigned POST of the output, from the internet, bucket policy alone (no session policy): Denied',
    ]);
  });

  it("reads the data bucket's own policy, not the access-log bucket's, which comes first and names the data bucket", async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      const [first] = bucketPolicies(t);
      expect(JSON.stringify(first![1].Properties.Bucket)).toContain('StoreAccessLogs');
      expect(JSON.stringify(first![1].Properties.PolicyDocument)).toContain('StoreData');
    });
    const result = await ws.run();
    expect(result.simulation.filter((r) => !r.passed)).toEqual([]);
  });

  it("fails when the data bucket policy loses the signer's network Deny", async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      const all = statements(t);
      all.splice(
        all.findIndex((s) => s.Sid === SIGNER_DENY),
        1,
      );
    });
    expect(messages(await ws.run())).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^simulation: presigned GET of the input, from the internet, bucket policy alone \(no session policy\): s3:GetObject on .* was Allowed, expected Denied$/,
        ),
        expect.stringMatching(
          /^simulation: presigned POST of the output, from the internet, bucket policy alone \(no session policy\): s3:PutObject on .* was Allowed, expected Denied$/,
        ),
      ]),
    );
  });

  it('fails when the Deny is guarded by Null = "false", which exempts requests from the internet', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      const deny = statements(t).find((s) => s.Sid === SIGNER_DENY) as { Condition: Record<string, unknown> };
      deny.Condition.Null = { 'aws:VpceAccount': 'false' };
    });
    const found = messages(await ws.run());
    expect(found).toContainEqual(
      expect.stringMatching(
        /^no-missing-key-pass: .*Deny condition StringNotEquals aws:VpceAccount is guarded by Null/,
      ),
    );
    expect(found).toContainEqual(
      expect.stringMatching(
        /^simulation: presigned GET of the input, from the internet, bucket policy alone \(no session policy\): .* was Allowed, expected Denied$/,
      ),
    );
  });
});

describe('the baseline holds state machines, task definitions and the network', () => {
  it('shows a new RunTask parameter key as drift', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) =>
      editDefinition(t, 'airlock-example-launch', (text) =>
        text.replace('"LaunchType":"FARGATE"', '"LaunchType":"FARGATE","PlatformVersion":"1.4.0"'),
      ),
    );
    expect((await ws.run()).drift).toEqual([
      'state machine sandbox/{prefix}-{env}-launch: + task RunTask: parameter PlatformVersion',
    ]);
  });

  it('shows a changed task-definition field as the removed and the added line, with exit code 2', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => {
      const runner = Object.values(t.Resources).find((r) => r.Type === 'AWS::ECS::TaskDefinition')!;
      const run = (runner.Properties.ContainerDefinitions as Array<{ Name: string; User: string }>).find(
        (c) => c.Name === 'run',
      )!;
      run.User = '10002:10002';
    });
    const result = await ws.run();
    expect(result.findings).toEqual([]);
    expect(result.drift).toEqual([
      'task definition sandbox/{prefix}-{env}-runner: - container run: user 10001:10001',
      'task definition sandbox/{prefix}-{env}-runner: + container run: user 10002:10002',
    ]);
    expect(exitCodeOf(result)).toBe(EXIT.DRIFT);
  });

  it('shows a new route as an added network resource, line by line', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => {
      const table = Object.entries(t.Resources).find(([, r]) => r.Type === 'AWS::EC2::RouteTable')![0];
      t.Resources.PeerRoute = {
        Type: 'AWS::EC2::Route',
        Properties: {
          RouteTableId: { Ref: table },
          DestinationCidrBlock: '10.0.0.0/8',
          VpcPeeringConnectionId: 'pcx-0123',
        },
      };
    });
    expect((await ws.run()).drift).toEqual([
      'network resource sandbox/AWS::EC2::Route/PeerRoute was added',
      'network resource sandbox/AWS::EC2::Route/PeerRoute: + DestinationCidrBlock = 10.0.0.0/8',
      expect.stringMatching(
        /^network resource sandbox\/AWS::EC2::Route\/PeerRoute: \+ RouteTableId = \{prefix\}-\{env\}-sandbox-NetworkVpc\w+RouteTable\w+$/,
      ),
      'network resource sandbox/AWS::EC2::Route/PeerRoute: + VpcPeeringConnectionId = pcx-0123',
    ]);
  });
});
