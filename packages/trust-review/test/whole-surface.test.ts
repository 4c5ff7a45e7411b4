import { describe, expect, it } from 'vitest';
import { exitCodeOf, EXIT } from '../src/review.js';
import { editDefinition, scratch, type Template } from './scratch-workspace.js';

// Each change the trust review used to pass silently (issue 15), made to a copy of the synthesized templates.
const messages = async (ws: ReturnType<typeof scratch>) =>
  ws.ruleFindings().map((f) => `${f.rule}: ${f.subject}: ${f.message}`);
const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const runner = (t: Template) => ofType(t, 'AWS::ECS::TaskDefinition')[0]![1].Properties;
const container = (t: Template, name: string) =>
  (runner(t).ContainerDefinitions as Array<Record<string, unknown> & { Name: string }>).find((c) => c.Name === name)!;
const TASK = 'task definition airlock-example-runner';

describe('the review exits non-zero', () => {
  it('on a change only the whole-surface rules see (a privileged runner container)', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => (container(t, 'run').Privileged = true));
    const result = await ws.run();
    expect(exitCodeOf(result)).toBe(EXIT.FINDINGS);
    expect(result.findings.map((f) => f.rule)).toEqual(['runner-container-confinement']);
  });
});

describe('the review sees the runner task definition', () => {
  it.each([
    [
      'a writable root',
      (t: Template) => (container(t, 'run').ReadonlyRootFilesystem = false),
      'container run has a writable root file system',
    ],
    [
      'root as the user',
      (t: Template) => (container(t, 'fetch').User = '0:0'),
      'container fetch runs as 0:0, not a non-root user',
    ],
    [
      'no user',
      (t: Template) => delete container(t, 'deliver').User,
      "container deliver runs as the image's default user, not a non-root user",
    ],
    ['privileged', (t: Template) => (container(t, 'run').Privileged = true), 'container run is privileged'],
    [
      'an added capability',
      (t: Template) =>
        ((container(t, 'run').LinuxParameters as { Capabilities: { Add?: string[] } }).Capabilities.Add = [
          'SYS_PTRACE',
        ]),
      'container run adds capabilities SYS_PTRACE',
    ],
    ['bridge networking', (t: Template) => (runner(t).NetworkMode = 'bridge'), 'network mode is bridge, not awsvpc'],
    ['a shared process namespace', (t: Template) => (runner(t).PidMode = 'task'), /^shares a process namespace/],
    [
      'a secret',
      (t: Template) => (container(t, 'fetch').Secrets = [{ Name: 'TOKEN', ValueFrom: 'arn:aws:ssm:::parameter/t' }]),
      'container fetch receives secrets TOKEN',
    ],
    [
      "another container's volumes",
      (t: Template) => (container(t, 'run').VolumesFrom = [{ SourceContainer: 'deliver' }]),
      'container run mounts the volumes of deliver',
    ],
    [
      'an unconfined seccomp profile',
      (t: Template) => (container(t, 'run').DockerSecurityOptions = ['seccomp:unconfined']),
      'container run sets docker security options seccomp:unconfined',
    ],
    [
      'a writable scratch volume for deliver',
      (t: Template) => ((container(t, 'deliver').MountPoints as Array<{ ReadOnly: boolean }>)[0]!.ReadOnly = false),
      'container deliver mounts the scratch volume writable, not read-only',
    ],
    [
      'a URL in the fixed environment',
      (t: Template) =>
        (container(t, 'run').Environment as Array<{ Name: string; Value: string }>).push({
          Name: 'OUTPUT_POST',
          Value: '{}',
        }),
      'container run has OUTPUT_POST in its fixed environment',
    ],
  ])('fails on %s, naming it', async (_change, change, message: string | RegExp) => {
    const ws = scratch();
    ws.edit('sandbox', change);
    const prefix = `runner-container-confinement: ${TASK}: `;
    if (typeof message === 'string') expect(await messages(ws)).toContain(`${prefix}${message}`);
    else
      expect(
        (await messages(ws)).filter((m) => m.startsWith(prefix)).map((m) => m.slice(prefix.length)),
      ).toContainEqual(expect.stringMatching(message));
  });
});

describe('the review sees every Task state of every state machine', () => {
  it('fails when the launch RunTask lets its input set a task role', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) =>
      editDefinition(t, 'airlock-example-launch', (text) =>
        text.replace('"Overrides":{', '"Overrides":{"TaskRoleArn.$":"$.role",'),
      ),
    );
    expect(await messages(ws)).toContain(
      'state-machine-tasks: state machine airlock-example-launch: state RunTask lets its parameters set a task or execution role (Overrides.TaskRoleArn.$)',
    );
  });

  it('fails when the launch RunTask pins the runner revision literally instead of by Ref', async () => {
    const ws = scratch();
    const pinned = 'arn:aws:ecs:eu-west-1:222222222222:task-definition/airlock-example-runner:1';
    ws.edit('sandbox', (t) => {
      const machine = ofType(t, 'AWS::StepFunctions::StateMachine').find(
        ([, r]) => r.Properties.StateMachineName === 'airlock-example-launch',
      )![1];
      const [separator, parts] = machine.Properties.DefinitionString['Fn::Join'] as [string, unknown[]];
      const runnerId = ofType(t, 'AWS::ECS::TaskDefinition')[0]![0];
      const at = parts.findIndex((p) => (p as { Ref?: string }).Ref === runnerId);
      expect(at).toBeGreaterThan(0);
      parts[at] = pinned;
      machine.Properties.DefinitionString = { 'Fn::Join': [separator, parts] };
    });
    const result = await ws.run();
    expect(exitCodeOf(result)).toBe(EXIT.FINDINGS);
    expect(result.findings.map((f) => `${f.rule}: ${f.subject}: ${f.message}`)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^state-machine-tasks: state machine airlock-example-launch: state RunTask pins task definition revision ${pinned} literally`,
        ),
      ),
    );
    expect(result.drift).toEqual([
      'state machine sandbox/{prefix}-{env}-launch: - task RunTask: task definition of its own template, by Ref (the revision each deploy registers)',
      'state machine sandbox/{prefix}-{env}-launch: + task RunTask: task definition pinned literally to arn:aws:ecs:{region}:{sandbox}:task-definition/{prefix}-{env}-runner:1',
    ]);
  });

  it('fails when the launch RunTask takes its network from the input', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) =>
      editDefinition(t, 'airlock-example-launch', (text) =>
        text.replace('"AssignPublicIp":"DISABLED"', '"AssignPublicIp":"DISABLED","Subnets.$":"$.subnets"'),
      ),
    );
    expect(await messages(ws)).toContainEqual(
      expect.stringMatching(
        /^state-machine-tasks: .*state RunTask lets its parameters set the network \(NetworkConfiguration\.AwsvpcConfiguration\.Subnets\.\$\)$/,
      ),
    );
  });

  it('fails when a state takes its Credentials role from the input', async () => {
    const ws = scratch();
    ws.edit('orchestrator', (t) =>
      editDefinition(t, 'airlock-example-analysis', (text) =>
        text.replace(/"Credentials":\{"RoleArn":"[^"]*"\}/, '"Credentials":{"RoleArn.$":"$.role"}'),
      ),
    );
    expect(await messages(ws)).toContainEqual(
      expect.stringMatching(
        /^state-machine-tasks: state machine airlock-example-analysis: state \w+ takes its Credentials role from \{"RoleArn\.\$":"\$\.role"\}, not one literal RoleArn$/,
      ),
    );
  });

  it('fails when the orchestrator gains a state that runs an ECS task itself', async () => {
    const ws = scratch();
    ws.edit('orchestrator', (t) =>
      editDefinition(t, 'airlock-example-analysis', (text) =>
        text.replace('"arn:aws:states:::states:startExecution.sync:2"', '"arn:aws:states:::aws-sdk:ecs:runTask"'),
      ),
    );
    expect(await messages(ws)).toContainEqual(
      expect.stringMatching(
        /^state-machine-tasks: state machine airlock-example-analysis: state RunUntrusted of airlock-example-analysis runs ECS tasks/,
      ),
    );
  });
});

describe("the review pins the launch workflow's RunTask", () => {
  const LAUNCH = 'state-machine-tasks: state machine airlock-example-launch: state RunTask';
  const editLaunch = (ws: ReturnType<typeof scratch>, change: (text: string) => string) =>
    ws.edit('sandbox', (t) => editDefinition(t, 'airlock-example-launch', change));

  it.each([
    [
      'a public IP',
      (text: string) => text.replace('"AssignPublicIp":"DISABLED"', '"AssignPublicIp":"ENABLED"'),
      'sets AssignPublicIp "ENABLED", not DISABLED',
    ],
    [
      'a platform version',
      (text: string) => text.replace('"LaunchType":"FARGATE"', '"LaunchType":"FARGATE","PlatformVersion":"1.3.0"'),
      "sets PlatformVersion, which the launch workflow's fixed RunTask shape does not have",
    ],
    [
      'ECS Exec',
      (text: string) => text.replace('"LaunchType":"FARGATE"', '"LaunchType":"FARGATE","EnableExecuteCommand":true'),
      "sets EnableExecuteCommand, which the launch workflow's fixed RunTask shape does not have",
    ],
    [
      'tags propagated from the task definition',
      (text: string) =>
        text.replace('"LaunchType":"FARGATE"', '"LaunchType":"FARGATE","PropagateTags":"TASK_DEFINITION"'),
      "sets PropagateTags, which the launch workflow's fixed RunTask shape does not have",
    ],
  ])('fails on %s, naming it', async (_change, change, message) => {
    const ws = scratch();
    editLaunch(ws, change);
    expect(await messages(ws)).toContain(`${LAUNCH} ${message}`);
  });

  it("fails when the task runs in the endpoints' security group instead of the runner's", async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => {
      const launch = ofType(t, 'AWS::StepFunctions::StateMachine').find(
        ([, r]) => r.Properties.StateMachineName === 'airlock-example-launch',
      )![1];
      launch.Properties.DefinitionString = JSON.parse(
        JSON.stringify(launch.Properties.DefinitionString).replace(
          /"NetworkTaskSecurityGroup(\w+)","GroupId"/,
          (_m, _hash: string) =>
            `"${ofType(t, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith('NetworkEndpointSecurityGroup'))![0]}","GroupId"`,
        ),
      ) as unknown;
    });
    expect(await messages(ws)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${LAUNCH} runs the task in a group that is not the runner's: security group NetworkEndpointSecurityGroup\\w+ accepts connections`,
        ),
      ),
    );
  });

  it('reads a value hidden in DefinitionSubstitutions: a RunTask disguised in the reaper', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => {
      editDefinition(t, 'airlock-example-launch-reaper', (text) =>
        text.replace('"arn:aws:states:::aws-sdk:ecs:stopTask"', '"arn:aws:states:::aws-sdk:ecs:${call}"'),
      );
      const reaper = ofType(t, 'AWS::StepFunctions::StateMachine').find(
        ([, r]) => r.Properties.StateMachineName === 'airlock-example-launch-reaper',
      )![1];
      reaper.Properties.DefinitionSubstitutions = { call: 'runTask' };
    });
    expect(await messages(ws)).toContainEqual(
      expect.stringMatching(
        /^state-machine-tasks: state machine airlock-example-launch-reaper: state StopEach\/StopTask of airlock-example-launch-reaper runs ECS tasks \(arn:aws:states:::aws-sdk:ecs:runTask\)/,
      ),
    );
  });

  it('refuses a definition with a placeholder the template does not fill', async () => {
    const ws = scratch();
    editLaunch(ws, (text) => text.replace('"AssignPublicIp":"DISABLED"', '"AssignPublicIp":"${ip}"'));
    expect(await messages(ws)).toContain(
      'state-machine-tasks: state machine airlock-example-launch: cannot be reviewed: ${ip} has no DefinitionSubstitutions entry. Fix: keep the whole definition in the template',
    );
  });
});

describe('the review sees the sandbox network', () => {
  const taskGroup = (t: Template) =>
    ofType(t, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith('NetworkTaskSecurityGroup'))![1].Properties;

  it.each([
    [
      'egress to 0.0.0.0/0',
      (t: Template) => (taskGroup(t).SecurityGroupEgress as unknown[]).push({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }),
      /security group NetworkTaskSecurityGroup\w+ allows egress -1 \*-\* 0\.0\.0\.0\/0$/,
    ],
    [
      'an internet gateway with a default route',
      (t: Template) => {
        t.Resources.Igw = { Type: 'AWS::EC2::InternetGateway', Properties: {} };
        t.Resources.DefaultRoute = {
          Type: 'AWS::EC2::Route',
          Properties: { DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'Igw' }, RouteTableId: 'rtb-1' },
        };
      },
      /route DefaultRoute sends 0\.0\.0\.0\/0 somewhere other than the endpoints$/,
    ],
    [
      'a peering connection',
      (t: Template) =>
        (t.Resources.Peer = { Type: 'AWS::EC2::VPCPeeringConnection', Properties: { VpcId: 'a', PeerVpcId: 'b' } }),
      /Peer is a VPC peering connection$/,
    ],
    [
      'the DNS firewall association removed',
      (t: Template) => {
        for (const [id] of ofType(t, 'AWS::Route53Resolver::FirewallRuleGroupAssociation')) delete t.Resources[id];
      },
      /VPC NetworkVpc\w+ has no DNS firewall rule group association$/,
    ],
  ])('fails on %s, naming it', async (_change, change, message) => {
    const ws = scratch();
    ws.edit('sandbox', change);
    expect(await messages(ws)).toContainEqual(
      expect.stringMatching(new RegExp(`^sandbox-network-closed: network: ${message.source}`)),
    );
  });
});

describe('the review sees network ACLs, VPC endpoints and the DNS firewall of the sandbox', () => {
  const first = (t: Template, type: string, prefix = '') => ofType(t, type).find(([id]) => id.startsWith(prefix))!;
  const endpoint = (t: Template, prefix: string) =>
    first(t, 'AWS::EC2::VPCEndpoint', `NetworkVpc${prefix}`)[1].Properties;
  const nacl = (entry: Record<string, unknown>) => (t: Template) => {
    t.Resources.Acl = { Type: 'AWS::EC2::NetworkAcl', Properties: { VpcId: { Ref: first(t, 'AWS::EC2::VPC')[0] } } };
    t.Resources.AclEntry = {
      Type: 'AWS::EC2::NetworkAclEntry',
      Properties: {
        NetworkAclId: { Ref: 'Acl' },
        Protocol: -1,
        RuleAction: 'allow',
        RuleNumber: 100,
        Egress: true,
        ...entry,
      },
    };
  };

  it.each([
    [
      'a NACL open to ::/0',
      nacl({ Ipv6CidrBlock: '::/0' }),
      'sandbox-network-closed: network: network ACL entry AclEntry allows egress to ::/0, outside the VPC',
    ],
    [
      'a NACL open to an address outside the VPC',
      nacl({ CidrBlock: '8.8.8.8/32' }),
      'sandbox-network-closed: network: network ACL entry AclEntry allows egress to 8.8.8.8/32, outside the VPC',
    ],
    [
      'a NACL wider than the VPC',
      nacl({ CidrBlock: '10.0.0.0/8' }),
      'sandbox-network-closed: network: network ACL entry AclEntry allows egress to 10.0.0.0/8, outside the VPC',
    ],
    [
      'an STS endpoint',
      (t: Template) =>
        (t.Resources.Sts = {
          Type: 'AWS::EC2::VPCEndpoint',
          Properties: { ...endpoint(t, 'Logs'), ServiceName: 'com.amazonaws.eu-west-1.sts' },
        }),
      /^sandbox-vpc-endpoints: VPC endpoint Sts \(com\.amazonaws\.eu-west-1\.sts\): reaches com\.amazonaws\.eu-west-1\.sts, which the runner does not use/,
    ],
    [
      'private DNS off',
      (t: Template) => (endpoint(t, 'EcrApi').PrivateDnsEnabled = false),
      /^sandbox-vpc-endpoints: VPC endpoint NetworkVpcEcrApi\w+ \(com\.amazonaws\.eu-west-1\.ecr\.api\): has private DNS off \(intended: on\)$/,
    ],
    [
      'an interface endpoint in a public subnet',
      (t: Template) => {
        const [id, subnet] = first(t, 'AWS::EC2::Subnet');
        t.Resources.PublicSubnet = {
          Type: 'AWS::EC2::Subnet',
          Properties: { ...subnet.Properties, MapPublicIpOnLaunch: true },
        };
        t.Resources.PublicSubnetTable = {
          Type: 'AWS::EC2::SubnetRouteTableAssociation',
          Properties: {
            ...first(t, 'AWS::EC2::SubnetRouteTableAssociation', id.replace(/Subnet\w+$/, ''))[1].Properties,
            SubnetId: { Ref: 'PublicSubnet' },
          },
        };
        endpoint(t, 'Logs').SubnetIds = [{ Ref: 'PublicSubnet' }];
      },
      /^sandbox-vpc-endpoints: VPC endpoint NetworkVpcLogs\w+ \(com\.amazonaws\.eu-west-1\.logs\): is placed in subnet airlock-example-sandbox-PublicSubnet, which is not an isolated subnet of the sandbox VPC$/,
    ],
    [
      's3:* on every resource through the S3 endpoint',
      (t: Template) =>
        endpoint(t, 'S3').PolicyDocument.Statement.push({
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Resource: '*',
        }),
      /^sandbox-vpc-endpoints: VPC endpoint NetworkVpcS3\w+ \(com\.amazonaws\.eu-west-1\.s3\): admits s3:\* on \*, beyond GET\/PUT of arn:aws:s3:::airlock-example-data-333333333333-eu-west-1\/runs\/\* in the data account/,
    ],
    [
      'the data account condition dropped from the S3 endpoint',
      (t: Template) => delete endpoint(t, 'S3').PolicyDocument.Statement[0].Condition,
      /^sandbox-vpc-endpoints: VPC endpoint NetworkVpcS3\w+ \(com\.amazonaws\.eu-west-1\.s3\): admits s3:GetObject, s3:PutObject on arn:aws:s3:::airlock-example-data-333333333333-eu-west-1\/runs\/\*, beyond/,
    ],
    [
      'any principal on the Logs endpoint',
      (t: Template) => (endpoint(t, 'Logs').PolicyDocument.Statement[0].Principal = { AWS: '*' }),
      /^sandbox-vpc-endpoints: VPC endpoint NetworkVpcLogs\w+ \(com\.amazonaws\.eu-west-1\.logs\): admits \*, not only the runner's execution role/,
    ],
    [
      'a wildcard DNS allow-list entry',
      (t: Template) =>
        first(t, 'AWS::Route53Resolver::FirewallDomainList', 'NetworkAllowedDomains')[1].Properties.Domains.push('*.'),
      /^sandbox-dns-firewall: DNS firewall NetworkDnsFirewall\w+: rule 100 allows \*\., which the runner does not resolve$/,
    ],
    [
      'the final BLOCK rule removed',
      (t: Template) => first(t, 'AWS::Route53Resolver::FirewallRuleGroup')[1].Properties.FirewallRules.pop(),
      /^sandbox-dns-firewall: DNS firewall NetworkDnsFirewall\w+: has no BLOCK rule for every domain \(\*\) after its allowed names$/,
    ],
    [
      'the BLOCK rule turned into an alert',
      (t: Template) =>
        (first(t, 'AWS::Route53Resolver::FirewallRuleGroup')[1].Properties.FirewallRules[1].Action = 'ALERT'),
      /^sandbox-dns-firewall: DNS firewall NetworkDnsFirewall\w+: has no BLOCK rule for every domain/,
    ],
  ])('fails on %s, naming it', async (_change, change, message: string | RegExp) => {
    const ws = scratch();
    ws.edit('sandbox', change);
    expect(await messages(ws)).toContainEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  });
});

describe('the review sees service principals on key and bucket policies', () => {
  it('fails when a key lets a service principal in without binding it to this account', async () => {
    const ws = scratch();
    ws.edit('orchestrator', (t) => {
      const [, key] = ofType(t, 'AWS::KMS::Key')[0]!;
      key.Properties.KeyPolicy.Statement.push({
        Effect: 'Allow',
        Principal: { Service: 'delivery.logs.amazonaws.com' },
        Action: 'kms:Decrypt*',
        Resource: '*',
      });
    });
    expect(await messages(ws)).toContainEqual(
      expect.stringMatching(
        /^resource-policy-service-binding: AWS::KMS::Key \w+: allows delivery\.logs\.amazonaws\.com kms:Decrypt\* without aws:SourceAccount or aws:SourceArn$/,
      ),
    );
  });

  it.each([
    [
      'a foreign account',
      { StringEquals: { 'aws:SourceAccount': '999999999999' } },
      /aws:SourceAccount \["999999999999"\], not this account/,
    ],
    ['any account', { StringLike: { 'aws:SourceAccount': '*' } }, /aws:SourceAccount \["\*"\], not this account/],
  ])('fails when a key binds a service principal to %s', async (_case, condition, problem) => {
    const ws = scratch();
    ws.edit('orchestrator', (t) => {
      const [, key] = ofType(t, 'AWS::KMS::Key')[0]!;
      key.Properties.KeyPolicy.Statement.push({
        Effect: 'Allow',
        Principal: { Service: 'delivery.logs.amazonaws.com' },
        Action: 'kms:Decrypt*',
        Resource: '*',
        Condition: condition,
      });
    });
    expect(await messages(ws)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^resource-policy-service-binding: AWS::KMS::Key \\w+: allows delivery\\.logs\\.amazonaws\\.com kms:Decrypt\\* with ${problem.source}`,
        ),
      ),
    );
  });
});
