import { loadEnvironment, synthAccountStackForTest } from '@airlock/shared';
import { EXAMPLE_TARGET_ROLE_TRUST } from '@airlock/shared/testing';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SandboxAccountStack } from '../src/sandbox-account-stack.js';

const airlock = loadEnvironment('example');
const { stack, template } = synthAccountStackForTest((app) => new SandboxAccountStack(app, { airlock }));
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const onlyOne = (type: string) => {
  const found = ofType(type);
  expect(found).toHaveLength(1);
  return found[0]![1].Properties;
};
const logicalId = (type: string, match: (p: Record<string, unknown>) => boolean) =>
  ofType(type).find(([, r]) => match(r.Properties))?.[0];

const runnerSg = logicalId('AWS::EC2::SecurityGroup', (p) =>
  String(p.GroupDescription).startsWith('Untrusted runner task'),
)!;
const endpointSg = logicalId('AWS::EC2::SecurityGroup', (p) =>
  String(p.GroupDescription).startsWith('Interface endpoints'),
)!;
const executionRoleId = logicalId('AWS::IAM::Role', (p) =>
  JSON.stringify(p.AssumeRolePolicyDocument).includes('ecs-tasks'),
)!;
const runnerLogsId = ofType('AWS::Logs::LogGroup')
  .map(([id]) => id)
  .find((id) => id.startsWith('RunnerLogs'))!;

describe('SandboxAccountStack', () => {
  it('is pinned to the sandbox account and region', () => {
    expect([stack.account, stack.region, stack.stackName]).toEqual([
      '222222222222',
      'eu-west-1',
      'airlock-example-sandbox',
    ]);
  });

  describe('network', () => {
    it('has isolated subnets in two AZs and no way to the internet', () => {
      template.resourceCountIs('AWS::EC2::InternetGateway', 0);
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      template.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 0);
      template.resourceCountIs('AWS::EC2::VPCGatewayAttachment', 0);
      template.resourceCountIs('AWS::EC2::Route', 0);
      const subnets = ofType('AWS::EC2::Subnet').map(([, r]) => r.Properties);
      expect(subnets.map((s) => s.AvailabilityZone).sort()).toEqual(['eu-west-1a', 'eu-west-1b']);
      expect(subnets.every((s) => s.MapPublicIpOnLaunch === false)).toBe(true);
    });

    it("strips the VPC's default security group of every rule, so nothing placed in it by mistake has a network", () => {
      const [vpc] = ofType('AWS::EC2::VPC').map(([id]) => id);
      template.hasResourceProperties('Custom::VpcRestrictDefaultSG', {
        DefaultSecurityGroupId: { 'Fn::GetAtt': [vpc, 'DefaultSecurityGroup'] },
      });
      // CDK's provider role is bound to this account's Lambda, like every service-principal trust here.
      const [providerRole] = ofType('AWS::IAM::Role').filter(([id]) => id.startsWith('CustomVpcRestrictDefaultSG'));
      expect(providerRole![1].Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' } },
          },
        ],
      });
      // The account's boundary denies iam:AttachRolePolicy: a managed policy would fail the deploy.
      expect(providerRole![1].Properties).not.toHaveProperty('ManagedPolicyArns');
    });

    it('logs all traffic of the VPC to an encrypted log group', () => {
      template.hasResourceProperties('AWS::EC2::FlowLog', {
        ResourceType: 'VPC',
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
      });
      for (const [, group] of ofType('AWS::Logs::LogGroup')) {
        expect(group.Properties).toMatchObject({
          KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^LogsKey/), 'Arn'] },
          RetentionInDays: 90,
        });
      }
    });

    it('gives the runner security group no ingress and egress only on 443 to S3 and the endpoints', () => {
      const ingress = ofType('AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
      expect(ingress).toEqual([
        expect.objectContaining({
          GroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] },
          SourceSecurityGroupId: { 'Fn::GetAtt': [runnerSg, 'GroupId'] },
          FromPort: 443,
          ToPort: 443,
          IpProtocol: 'tcp',
        }),
      ]);
      const egress = ofType('AWS::EC2::SecurityGroupEgress').map(([, r]) => r.Properties);
      expect(egress).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            GroupId: { 'Fn::GetAtt': [runnerSg, 'GroupId'] },
            DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] },
            FromPort: 443,
            ToPort: 443,
          }),
          expect.objectContaining({
            GroupId: { 'Fn::GetAtt': [runnerSg, 'GroupId'] },
            DestinationPrefixListId: 'pl-6da54004',
            FromPort: 443,
            ToPort: 443,
          }),
        ]),
      );
      expect(egress).toHaveLength(2);
      for (const id of [runnerSg, endpointSg]) {
        const group = resources[id]!.Properties;
        expect(group.SecurityGroupIngress).toBeUndefined();
        // An inline rule that matches no traffic: without it EC2 would give the group its allow-all default.
        expect(group.SecurityGroupEgress).toEqual([
          expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp' }),
        ]);
      }
    });

    it("restricts the S3 gateway endpoint to the data bucket's run objects and the ECR layer bucket", () => {
      const s3 = ofType('AWS::EC2::VPCEndpoint').find(([, r]) => r.Properties.VpcEndpointType === 'Gateway')![1]
        .Properties;
      expect(s3.PolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'RunObjectsOfTheDataBucket',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: ['s3:GetObject', 's3:PutObject'],
            Resource: 'arn:aws:s3:::airlock-example-data-333333333333-eu-west-1/runs/*',
            // A same-named bucket in another account (squatting a not-yet-deployed name) is not reachable.
            Condition: { StringEquals: { 'aws:ResourceAccount': '333333333333' } },
          },
          {
            Sid: 'EcrImageLayers',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 's3:GetObject',
            Resource: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::prod-eu-west-1-starport-layer-bucket/*']],
            },
          },
        ],
      });
    });

    it('lets only the execution role use the ECR and Logs endpoints, for the one repository and log group', () => {
      const interfaces = ofType('AWS::EC2::VPCEndpoint')
        .filter(([, r]) => r.Properties.VpcEndpointType === 'Interface')
        .map(([, r]) => r.Properties);
      expect(interfaces).toHaveLength(3);
      const executionRole = { AWS: { 'Fn::GetAtt': [executionRoleId, 'Arn'] } };
      for (const endpoint of interfaces) {
        expect(endpoint).toMatchObject({
          PrivateDnsEnabled: true,
          SecurityGroupIds: [{ 'Fn::GetAtt': [endpointSg, 'GroupId'] }],
        });
        const statements = (endpoint.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
        for (const s of statements) expect(s.Principal).toEqual(executionRole);
      }
      const logs = interfaces.find((e) => JSON.stringify(e.ServiceName).includes('.logs'))!;
      expect((logs.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
        {
          Sid: 'RunnerLogs',
          Effect: 'Allow',
          Principal: executionRole,
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [runnerLogsId, 'Arn'] },
        },
      ]);
      const ecr = interfaces.filter((e) => JSON.stringify(e.ServiceName).includes('.ecr.'));
      expect(ecr).toHaveLength(2);
      for (const endpoint of ecr) {
        expect(JSON.stringify(endpoint.PolicyDocument)).toContain(
          'repository/cdk-hnb659fds-container-assets-222222222222-eu-west-1',
        );
      }
    });

    it('resolves only the AWS service names the task needs; every other name is blocked', () => {
      const lists = ofType('AWS::Route53Resolver::FirewallDomainList').map(
        ([id, r]) => [id, r.Properties.Domains] as const,
      );
      const allowedId = lists.find(([, d]) => !(d as string[]).includes('*'))![0];
      const allId = lists.find(([, d]) => (d as string[]).includes('*'))![0];
      expect(lists.find(([id]) => id === allowedId)![1]).toEqual([
        's3.eu-west-1.amazonaws.com',
        '*.s3.eu-west-1.amazonaws.com',
        'api.ecr.eu-west-1.amazonaws.com',
        '*.dkr.ecr.eu-west-1.amazonaws.com',
        'logs.eu-west-1.amazonaws.com',
      ]);
      template.hasResourceProperties('AWS::Route53Resolver::FirewallRuleGroup', {
        FirewallRules: [
          { Priority: 100, Action: 'ALLOW', FirewallDomainListId: { 'Fn::GetAtt': [allowedId, 'Id'] } },
          {
            Priority: 200,
            Action: 'BLOCK',
            BlockResponse: 'NXDOMAIN',
            FirewallDomainListId: { 'Fn::GetAtt': [allId, 'Id'] },
          },
        ],
      });
      template.hasResourceProperties('AWS::Route53Resolver::FirewallRuleGroupAssociation', {
        VpcId: Match.anyValue(),
        MutationProtection: 'ENABLED',
      });
    });
  });

  describe('runner task', () => {
    const taskDefinition = onlyOne('AWS::ECS::TaskDefinition');
    const containers = taskDefinition.ContainerDefinitions as Array<Record<string, unknown>>;
    const container = (name: string) => containers.find((c) => c.Name === name)!;

    it('has no task role, and no unused role is left in the template', () => {
      expect(taskDefinition).not.toHaveProperty('TaskRoleArn');
      const roleTrusts = ofType('AWS::IAM::Role').map(([, r]) =>
        JSON.stringify(
          (r.Properties.AssumeRolePolicyDocument as { Statement: Array<{ Principal: unknown }> }).Statement.map(
            (s) => s.Principal,
          ),
        ),
      );
      expect(roleTrusts.sort()).toEqual([
        JSON.stringify([{ AWS: 'arn:aws:iam::111111111111:root' }]),
        JSON.stringify([{ Service: 'ecs-tasks.amazonaws.com' }]),
        JSON.stringify([{ Service: 'events.amazonaws.com' }]),
        // CDK's provider that strips the default security group (restrictDefaultSecurityGroup), not a task role.
        JSON.stringify([{ Service: 'lambda.amazonaws.com' }]),
        JSON.stringify([{ Service: 'states.amazonaws.com' }]),
        JSON.stringify([{ Service: 'states.amazonaws.com' }]),
        JSON.stringify([{ Service: 'vpc-flow-logs.amazonaws.com' }]),
      ]);
    });

    it('is an arm64 Fargate task of the deterministic family with one bounded scratch volume, own PID namespaces', () => {
      expect(taskDefinition).toMatchObject({
        Family: 'airlock-example-runner',
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
        EphemeralStorage: { SizeInGiB: 21 },
        Volumes: [{ Name: 'scratch' }],
        ExecutionRoleArn: { 'Fn::GetAtt': [executionRoleId, 'Arn'] },
      });
      expect(taskDefinition).not.toHaveProperty('PidMode');
    });

    it('has fetch, run and deliver, each running its own role of the one image', () => {
      expect(containers.map((c) => c.Name)).toEqual(['fetch', 'run', 'deliver']);
      for (const c of containers) expect(c.Command).toEqual([c.Name]);
      expect(new Set(containers.map((c) => JSON.stringify(c.Image))).size).toBe(1);
    });

    it('makes deliver the only essential container and orders fetch SUCCESS -> run COMPLETE -> deliver', () => {
      // ECS rejects SUCCESS/COMPLETE conditions on an essential container at deploy time, not at synth.
      expect(containers.map((c) => [c.Name, c.Essential])).toEqual([
        ['fetch', false],
        ['run', false],
        ['deliver', true],
      ]);
      expect(container('fetch')).not.toHaveProperty('DependsOn');
      expect(container('run').DependsOn).toEqual([{ ContainerName: 'fetch', Condition: 'SUCCESS' }]);
      expect(container('deliver').DependsOn).toEqual([{ ContainerName: 'run', Condition: 'COMPLETE' }]);
      // A startTimeout on run would count from its start and cut long runs.
      expect(container('run')).not.toHaveProperty('StartTimeout');
    });

    it('runs every container read-only, as a numeric non-root user, with every capability dropped', () => {
      for (const c of containers) {
        expect(c).toMatchObject({
          ReadonlyRootFilesystem: true,
          User: '10001:10001',
          Privileged: false,
          StopTimeout: 10,
          LinuxParameters: { Capabilities: { Drop: ['ALL'] } },
          LogConfiguration: {
            LogDriver: 'awslogs',
            Options: expect.objectContaining({ 'awslogs-group': { Ref: runnerLogsId } }),
          },
        });
        expect((c.LinuxParameters as { Capabilities: object }).Capabilities).not.toHaveProperty('Add');
        expect(c).not.toHaveProperty('Secrets');
      }
      // run's supervisor must be PID 1 of its namespace: no init process in front of it.
      expect(container('run').LinuxParameters).toMatchObject({ InitProcessEnabled: false });
    });

    it('mounts scratch read-write for fetch and run, read-only for deliver', () => {
      const mount = (readOnly: boolean) => [{ ContainerPath: '/scratch', ReadOnly: readOnly, SourceVolume: 'scratch' }];
      expect(container('fetch').MountPoints).toEqual(mount(false));
      expect(container('run').MountPoints).toEqual(mount(false));
      expect(container('deliver').MountPoints).toEqual(mount(true));
    });

    it('fixes only the data URL prefix and the maximum run time in the task definition, never a URL', () => {
      const prefix = {
        Name: 'AIRLOCK_DATA_URL_PREFIX',
        Value: 'https://airlock-example-data-333333333333-eu-west-1.s3.eu-west-1.amazonaws.com/',
      };
      const maxSeconds = { Name: 'RUN_MAX_SECONDS', Value: String(300 + 180) };
      expect(container('fetch').Environment).toEqual([prefix, maxSeconds]);
      expect(container('run').Environment).toEqual([maxSeconds]);
      expect(container('deliver').Environment).toEqual([prefix]);
    });

    it('lets the execution role pull only the runner image and write only the runner log group', () => {
      const policy = ofType('AWS::IAM::Policy').find(([, r]) =>
        JSON.stringify(r.Properties.Roles).includes(executionRoleId),
      )![1].Properties;
      expect((policy.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
        {
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
          Effect: 'Allow',
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':ecr:eu-west-1:222222222222:repository/cdk-hnb659fds-container-assets-222222222222-eu-west-1',
              ],
            ],
          },
        },
        { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [runnerLogsId, 'Arn'] },
        },
      ]);
    });

    it('runs on a cluster with the deterministic name and Container Insights', () => {
      template.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterName: 'airlock-example-sandbox',
        ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      });
    });
  });

  it('has no SSM parameter: the launch shape lives in the launch workflow', () => {
    template.resourceCountIs('AWS::SSM::Parameter', 0);
  });

  describe('launcher role', () => {
    const role =
      resources[logicalId('AWS::IAM::Role', (p) => p.RoleName === 'airlock-example-sandbox-launcher')!]!.Properties;
    const launchKeyId = ofType('AWS::KMS::Key').find(([id]) => id.startsWith('LaunchKey'))![0];

    it('trusts only the orchestrator execution role with the analysis state machine as ExternalId', () => {
      expect(role.AssumeRolePolicyDocument).toEqual(EXAMPLE_TARGET_ROLE_TRUST);
    });

    it('may start the launch workflow, follow its executions and use its key through Step Functions; nothing else', () => {
      expect(role.Policies).toEqual([
        {
          PolicyName: 'launch',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'StartLaunchWorkflow',
                Effect: 'Allow',
                Action: 'states:StartExecution',
                Resource: 'arn:aws:states:eu-west-1:222222222222:stateMachine:airlock-example-launch',
              },
              {
                Sid: 'FollowLaunchExecutions',
                Effect: 'Allow',
                Action: ['states:DescribeExecution', 'states:StopExecution'],
                Resource: 'arn:aws:states:eu-west-1:222222222222:execution:airlock-example-launch:*',
              },
              {
                Sid: 'LaunchKeyThroughStepFunctions',
                Effect: 'Allow',
                Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
                Resource: { 'Fn::GetAtt': [launchKeyId, 'Arn'] },
                Condition: {
                  StringEquals: {
                    'kms:ViaService': 'states.eu-west-1.amazonaws.com',
                    'kms:EncryptionContext:aws:states:stateMachineArn':
                      'arn:aws:states:eu-west-1:222222222222:stateMachine:airlock-example-launch',
                  },
                },
              },
            ],
          },
        },
      ]);
      expect(JSON.stringify(role)).not.toMatch(/ecs:|iam:PassRole|ssm:|events:|ManagedPolicyArns/);
      expect(
        ofType('AWS::IAM::Policy').some(([, p]) => JSON.stringify(p.Properties.Roles).includes('LauncherRole')),
      ).toBe(false);
    });
  });

  it('has no resource policy that grants another account anything', () => {
    for (const type of [
      'AWS::S3::BucketPolicy',
      'AWS::SQS::QueuePolicy',
      'AWS::SNS::TopicPolicy',
      'AWS::Logs::ResourcePolicy',
      'AWS::ECR::Repository',
    ]) {
      template.resourceCountIs(type, 0);
    }
    const keys = ofType('AWS::KMS::Key').map(([, k]) => k.Properties);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key.EnableKeyRotation).toBe(true);
      // A Deny grants nothing (the launch key's DecryptOnlyByNamedReaders names every principal to refuse them).
      const principals = JSON.stringify(
        (key.KeyPolicy as { Statement: Array<{ Effect: string; Principal: unknown }> }).Statement.filter(
          (s) => s.Effect === 'Allow',
        ).map((s) => s.Principal),
      );
      expect(principals).not.toMatch(/111111111111|333333333333/);
      expect(principals).not.toContain('"*"');
    }
  });
});
