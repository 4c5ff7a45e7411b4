import { loadEnvironment, synthAccountStackForTest, type AirlockEnvironment } from '@airlock/shared';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { DataAccountStack } from '../src/data-account-stack.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
const synth = (airlock: AirlockEnvironment) => {
  const { template } = synthAccountStackForTest(
    (app) =>
      new DataAccountStack(app, {
        airlock,
        functionCode: () => lambda.Code.fromInline('export const handler = async () => ({});'),
      }),
  );
  return template.toJSON().Resources as Record<string, Resource>;
};

const example = loadEnvironment('example');
const resources = synth(example);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const idOf = (type: string, prefix: string) => ofType(type).find(([id]) => id.startsWith(prefix))![0];
const groupIdOf = (id: string) => ({ 'Fn::GetAtt': [id, 'GroupId'] });
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

const FUNCTION_GROUP = idOf('AWS::EC2::SecurityGroup', 'NetworkFunctionSecurityGroup');
const ENDPOINT_GROUP = idOf('AWS::EC2::SecurityGroup', 'NetworkEndpointSecurityGroup');
const VPC = idOf('AWS::EC2::VPC', 'NetworkVpc');
const SUBNETS = ofType('AWS::EC2::Subnet').map(([id]) => ({ Ref: id }));
const ROUTE_TABLES = ofType('AWS::EC2::RouteTable').map(([id]) => ({ Ref: id }));
const endpointFor = (service: string) =>
  ofType('AWS::EC2::VPCEndpoint').find(([, e]) => JSON.stringify(e.Properties.ServiceName).includes(`.${service}"`))![1]
    .Properties;
/** CDK's "matches nothing" egress rule: with it inline, the group never gets EC2's default allow-all egress. */
const NO_EGRESS = {
  CidrIp: '255.255.255.255/32',
  Description: 'Disallow all traffic',
  IpProtocol: 'icmp',
  FromPort: 252,
  ToPort: 86,
};
const https = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443 };

describe('data-plane network', () => {
  it('runs every data-plane function in the isolated subnets, in the functions’ security group only', () => {
    const functions = ofType('AWS::Lambda::Function').filter(([id]) => /^(Prepare|Finalize|Purge)Function/.test(id));
    expect(functions.map(([id]) => id.replace(/Function.*/, ''))).toEqual(['Prepare', 'Finalize', 'Purge']);
    for (const [, fn] of functions) {
      expect(fn.Properties.VpcConfig).toEqual({ SecurityGroupIds: [groupIdOf(FUNCTION_GROUP)], SubnetIds: SUBNETS });
    }
  });

  it('has isolated subnets only, one per zone of the environment (two by default)', () => {
    expect(ofType('AWS::EC2::VPC')).toHaveLength(1);
    expect(ofType('AWS::EC2::Subnet').map(([, s]) => s.Properties)).toEqual([
      expect.objectContaining({ AvailabilityZone: 'eu-west-1a', MapPublicIpOnLaunch: false, VpcId: { Ref: VPC } }),
      expect.objectContaining({ AvailabilityZone: 'eu-west-1b', MapPublicIpOnLaunch: false, VpcId: { Ref: VPC } }),
    ]);
  });

  it('has no path out: no internet, NAT or egress-only gateway, no attachment or peering, no route at all', () => {
    const pathsOut = Object.values(resources).filter((r) =>
      [
        'AWS::EC2::InternetGateway',
        'AWS::EC2::VPCGatewayAttachment',
        'AWS::EC2::NatGateway',
        'AWS::EC2::EIP',
        'AWS::EC2::EgressOnlyInternetGateway',
        'AWS::EC2::VPCPeeringConnection',
        'AWS::EC2::TransitGatewayAttachment',
        'AWS::EC2::TransitGatewayVpcAttachment',
        'AWS::EC2::VPNGateway',
        'AWS::EC2::Route',
      ].includes(r.Type),
    );
    expect(pathsOut).toEqual([]);
    // Nothing anywhere in the template names the whole internet (a route, a rule, an ACL entry).
    expect(JSON.stringify(resources)).not.toMatch(/0\.0\.0\.0\/0|::\/0/);
  });

  it('reaches S3 and DynamoDB through gateway endpoints on the isolated route tables', () => {
    for (const service of ['s3', 'dynamodb']) {
      expect(endpointFor(service)).toMatchObject({
        VpcEndpointType: 'Gateway',
        VpcId: { Ref: VPC },
        RouteTableIds: ROUTE_TABLES,
      });
    }
  });

  it('reaches STS and KMS through interface endpoints with private DNS, in the endpoints’ group, in every zone', () => {
    for (const service of ['sts', 'kms']) {
      expect(endpointFor(service)).toMatchObject({
        ServiceName: `com.amazonaws.eu-west-1.${service}`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        SecurityGroupIds: [groupIdOf(ENDPOINT_GROUP)],
        SubnetIds: SUBNETS,
      });
    }
    expect(ofType('AWS::EC2::VPCEndpoint')).toHaveLength(4);
  });

  describe('endpoint policies: the functions’ actions on the data account’s own resources', () => {
    const bucket = ofType('AWS::S3::Bucket').find(
      ([, r]) => r.Properties.BucketName === 'airlock-example-data-333333333333-eu-west-1',
    )![0];
    const policyOf = (service: string, sid: string, action: unknown, resource: unknown) =>
      it(`${service}: ${sid}, bound by aws:ResourceAccount`, () => {
        expect(endpointFor(service).PolicyDocument).toEqual({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: sid,
              Effect: 'Allow',
              Principal: { AWS: '*' },
              Action: action,
              Resource: resource,
              Condition: { StringEquals: { 'aws:ResourceAccount': '333333333333' } },
            },
          ],
        });
      });
    policyOf(
      's3',
      'TheDataBucket',
      ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      [arnOf(bucket), { 'Fn::Join': ['', [arnOf(bucket), '/*']] }],
    );
    policyOf(
      'dynamodb',
      'TheRunsTable',
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      arnOf(idOf('AWS::DynamoDB::GlobalTable', 'StoreRuns')),
    );
    policyOf('sts', 'AssumeTheUrlSigner', 'sts:AssumeRole', arnOf(idOf('AWS::IAM::Role', 'UrlSigner')));
    policyOf('kms', 'TheDataKey', ['kms:Decrypt', 'kms:GenerateDataKey'], arnOf(idOf('AWS::KMS::Key', 'Key')));
  });

  describe('security groups', () => {
    const rulesOf = (type: string, group: string) =>
      ofType(type)
        .map(([, r]) => r.Properties)
        .filter((r) => JSON.stringify(r.GroupId) === JSON.stringify(groupIdOf(group)))
        .map(({ Description: _description, GroupId: _group, ...rule }) => rule);

    it('are exactly two: the functions’ and the endpoints’', () => {
      expect(ofType('AWS::EC2::SecurityGroup').map(([id]) => id)).toEqual([FUNCTION_GROUP, ENDPOINT_GROUP]);
    });

    it('the functions’ group admits nothing and sends only 443 to the endpoints’ group and the two prefix lists', () => {
      const group = resources[FUNCTION_GROUP]!.Properties;
      expect(group.SecurityGroupIngress).toBeUndefined();
      expect(group.SecurityGroupEgress).toEqual([NO_EGRESS]);
      expect(rulesOf('AWS::EC2::SecurityGroupIngress', FUNCTION_GROUP)).toEqual([]);
      expect(rulesOf('AWS::EC2::SecurityGroupEgress', FUNCTION_GROUP)).toEqual([
        { ...https, DestinationSecurityGroupId: groupIdOf(ENDPOINT_GROUP) },
        { ...https, DestinationPrefixListId: 'pl-6da54004' },
        { ...https, DestinationPrefixListId: 'pl-6fa54006' },
      ]);
    });

    it('the endpoints’ group admits 443 from the functions’ group only and sends nothing', () => {
      const group = resources[ENDPOINT_GROUP]!.Properties;
      expect(group.SecurityGroupIngress).toBeUndefined();
      expect(group.SecurityGroupEgress).toEqual([NO_EGRESS]);
      expect(rulesOf('AWS::EC2::SecurityGroupEgress', ENDPOINT_GROUP)).toEqual([]);
      expect(rulesOf('AWS::EC2::SecurityGroupIngress', ENDPOINT_GROUP)).toEqual([
        { ...https, SourceSecurityGroupId: groupIdOf(FUNCTION_GROUP) },
      ]);
    });

    it('no other rule exists in the template', () => {
      expect(ofType('AWS::EC2::SecurityGroupIngress')).toHaveLength(1);
      expect(ofType('AWS::EC2::SecurityGroupEgress')).toHaveLength(3);
    });

    it("strips the VPC's default group, with CDK's provider trusting Lambda of this account only and attaching no managed policy", () => {
      expect(ofType('Custom::VpcRestrictDefaultSG').map(([, r]) => r.Properties.DefaultSecurityGroupId)).toEqual([
        { 'Fn::GetAtt': [VPC, 'DefaultSecurityGroup'] },
      ]);
      const provider = idOf('AWS::IAM::Role', 'CustomVpcRestrictDefaultSGCustomResourceProviderRole');
      expect(resources[provider]!.Properties.AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          {
            Principal: { Service: 'lambda.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '333333333333' } },
          },
        ],
      });
      // The account's boundary denies iam:AttachRolePolicy: a managed policy would fail the deploy.
      expect(resources[provider]!.Properties).not.toHaveProperty('ManagedPolicyArns');
    });
  });

  it('resolves only the names of S3, DynamoDB, STS and KMS; every other name answers NXDOMAIN', () => {
    const lists = Object.fromEntries(
      ofType('AWS::Route53Resolver::FirewallDomainList').map(([id, l]) => [id, l.Properties.Domains]),
    );
    const [, group] = ofType('AWS::Route53Resolver::FirewallRuleGroup')[0]!;
    const rules = (group.Properties.FirewallRules as Array<Record<string, unknown>>).map((r) => ({
      ...r,
      FirewallDomainListId: lists[(r.FirewallDomainListId as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]],
    }));
    expect(rules).toEqual([
      {
        Priority: 100,
        Action: 'ALLOW',
        FirewallDomainListId: [
          's3.eu-west-1.amazonaws.com',
          '*.s3.eu-west-1.amazonaws.com',
          'dynamodb.eu-west-1.amazonaws.com',
          '*.ddb.eu-west-1.amazonaws.com',
          'sts.eu-west-1.amazonaws.com',
          'kms.eu-west-1.amazonaws.com',
        ],
      },
      { Priority: 200, Action: 'BLOCK', BlockResponse: 'NXDOMAIN', FirewallDomainListId: ['*'] },
    ]);
    expect(ofType('AWS::Route53Resolver::FirewallRuleGroupAssociation').map(([, a]) => a.Properties)).toEqual([
      expect.objectContaining({ VpcId: { Ref: VPC }, MutationProtection: 'ENABLED' }),
    ]);
  });

  it('logs every flow of the VPC to an encrypted log group', () => {
    expect(ofType('AWS::EC2::FlowLog').map(([, f]) => f.Properties)).toEqual([
      expect.objectContaining({ ResourceId: { Ref: VPC }, ResourceType: 'VPC', TrafficType: 'ALL' }),
    ]);
  });

  it('takes its zones from the environment: each zone adds a subnet and an interface-endpoint subnet', () => {
    const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
    const three = synth({ ...example, data: { ...example.data, availabilityZones: zones } });
    const subnets = Object.values(three).filter((r) => r.Type === 'AWS::EC2::Subnet');
    expect(subnets.map((s) => s.Properties.AvailabilityZone)).toEqual(zones);
    const interfaces = Object.values(three).filter(
      (r) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties.VpcEndpointType === 'Interface',
    );
    expect(interfaces.map((e) => (e.Properties.SubnetIds as unknown[]).length)).toEqual([3, 3]);
  });
});
