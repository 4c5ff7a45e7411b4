import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { broadeningGate } from '../src/broadening-gate.js';
import { compareTemplates, type CfnTemplate } from '../src/surface-changes.js';

const trust = (principal: string) => ({
  Version: '2012-10-17',
  Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: principal } }],
});
/** A small template with one of each surface the gate watches. */
const deployed: CfnTemplate = {
  Resources: {
    Launcher: {
      Type: 'AWS::IAM::Role',
      Properties: { AssumeRolePolicyDocument: trust('arn:aws:iam::111111111111:root'), RoleName: 'launcher' },
    },
    LauncherPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'ecs:RunTask', Resource: 'x' }] } },
    },
    TaskGroup: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationPrefixListId: 'pl-1' }],
      },
    },
    S3Endpoint: { Type: 'AWS::EC2::VPCEndpoint', Properties: { PolicyDocument: { Statement: [] }, ServiceName: 's3' } },
    Prepare: {
      Type: 'AWS::Lambda::Function',
      Properties: { Code: { S3Bucket: 'b', S3Key: 'aaa111.zip' }, MemorySize: 512 },
    },
    Runner: {
      Type: 'AWS::ECS::TaskDefinition',
      Properties: { ContainerDefinitions: [{ Name: 'run', Image: 'repo:bbb222' }] },
    },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'data' } },
  },
};
const edit = (
  change: (t: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }) => void,
) => {
  const copy = structuredClone(deployed) as Parameters<typeof change>[0];
  change(copy);
  return copy;
};

describe('compareTemplates (the default diff behind the seam)', () => {
  it('finds nothing when only key order or properties outside the surface differ', () => {
    const proposed = edit((t) => {
      t.Resources.Bucket!.Properties.BucketName = 'renamed';
      t.Resources.Prepare!.Properties.MemorySize = 1024;
      t.Resources.Launcher!.Properties = {
        RoleName: 'launcher',
        AssumeRolePolicyDocument: trust('arn:aws:iam::111111111111:root'),
      };
    });
    expect(compareTemplates(deployed, proposed)).toEqual([]);
  });

  it.each([
    [
      'trust',
      (t: Parameters<Parameters<typeof edit>[0]>[0]) =>
        void (t.Resources.Launcher!.Properties.AssumeRolePolicyDocument = trust('*')),
      'AssumeRolePolicyDocument of Launcher changes',
    ],
    [
      'iam',
      (t: Parameters<Parameters<typeof edit>[0]>[0]) =>
        void (t.Resources.LauncherPolicy!.Properties.PolicyDocument = {
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      'PolicyDocument of LauncherPolicy changes',
    ],
    [
      'network',
      (t: Parameters<Parameters<typeof edit>[0]>[0]) =>
        void (t.Resources.TaskGroup!.Properties.SecurityGroupEgress = [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }]),
      'SecurityGroupEgress of TaskGroup changes',
    ],
    [
      'network',
      (t: Parameters<Parameters<typeof edit>[0]>[0]) =>
        void (t.Resources.S3Endpoint!.Properties.PolicyDocument = {
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
        }),
      'PolicyDocument of S3Endpoint changes',
    ],
    [
      'network',
      (t: Parameters<Parameters<typeof edit>[0]>[0]) =>
        void (t.Resources.Igw = {
          Type: 'AWS::EC2::Route',
          Properties: { GatewayId: 'igw-1', DestinationCidrBlock: '0.0.0.0/0' },
        }),
      'new AWS::EC2::Route Igw',
    ],
    [
      'resource-policy',
      (t: Parameters<Parameters<typeof edit>[0]>[0]) =>
        void (t.Resources.Policy = { Type: 'AWS::S3::BucketPolicy', Properties: { PolicyDocument: {} } }),
      'new AWS::S3::BucketPolicy Policy',
    ],
  ])('reports a %s change in words', (kind, change, words) => {
    const [found, ...rest] = compareTemplates(deployed, edit(change));
    expect(rest).toEqual([]);
    expect(found).toMatchObject({ kind });
    expect(found!.words).toContain(words);
  });

  it('reports a new Lambda bundle and a new image by their content digests, as code', () => {
    const proposed = edit((t) => {
      t.Resources.Prepare!.Properties.Code = { S3Bucket: 'b', S3Key: 'ccc333.zip' };
      t.Resources.Runner!.Properties.ContainerDefinitions = [{ Name: 'run', Image: 'repo:ddd444' }];
    });
    expect(compareTemplates(deployed, proposed)).toEqual([
      {
        kind: 'code',
        resource: 'Prepare (AWS::Lambda::Function)',
        words: 'Code of Prepare changes from "aaa111.zip" to "ccc333.zip"',
      },
      {
        kind: 'code',
        resource: 'Runner (AWS::ECS::TaskDefinition)',
        words: 'ContainerDefinitions of Runner changes from ["repo:bbb222"] to ["repo:ddd444"]',
      },
    ]);
  });

  it('treats every watched resource as new when nothing is deployed yet, and a removal as no broadening', () => {
    expect(compareTemplates(undefined, deployed).map((c) => c.kind)).toEqual([
      'trust',
      'iam',
      'network',
      'network',
      'code',
      'code',
    ]);
    expect(
      compareTemplates(
        deployed,
        edit((t) => delete t.Resources.TaskGroup),
      ),
    ).toEqual([]);
  });
});

describe('broadeningGate', () => {
  const cfn = () => {
    const client = new CloudFormationClient({ region: 'eu-west-1' });
    return { client, mock: mockClient(client) };
  };

  it('reads the deployed template with the given credentials and sends a trust change to the reviewers, in words', async () => {
    const { client, mock } = cfn();
    mock
      .on(GetTemplateCommand, { StackName: 'airlock-dev-sandbox', TemplateStage: 'Original' })
      .resolves({ TemplateBody: JSON.stringify(deployed) });
    const proposed = edit((t) => void (t.Resources.Launcher!.Properties.AssumeRolePolicyDocument = trust('*')));
    const result = await broadeningGate(client, 'airlock-dev-sandbox', proposed);
    expect(result.broadening).toBe(true);
    expect(result.summary).toContain('### airlock-dev-sandbox: broadening changes — a reviewer must approve');
    expect(result.summary).toContain('- **trust** AssumeRolePolicyDocument of Launcher changes from');
  });

  it('lets a code-only change through, listing the new digest', async () => {
    const { client, mock } = cfn();
    mock.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(deployed) });
    const proposed = edit((t) => void (t.Resources.Prepare!.Properties.Code = { S3Key: 'eee555.zip' }));
    const result = await broadeningGate(client, 'airlock-dev-sandbox', proposed);
    expect(result).toEqual({
      broadening: false,
      summary: expect.stringContaining('code changes only') as string,
    });
    expect(result.summary).toContain('"eee555.zip"');
  });

  it('treats a stack that does not exist yet as all new (broadening), and rethrows any other error', async () => {
    const { client, mock } = cfn();
    mock
      .on(GetTemplateCommand)
      .rejects(
        Object.assign(new Error('Stack with id airlock-dev-sandbox does not exist'), { name: 'ValidationError' }),
      );
    expect((await broadeningGate(client, 'airlock-dev-sandbox', deployed)).broadening).toBe(true);
    mock.on(GetTemplateCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(broadeningGate(client, 'airlock-dev-sandbox', deployed)).rejects.toThrow('not authorized');
  });

  it('compares through the seam it is given', async () => {
    const { client, mock } = cfn();
    mock.on(GetTemplateCommand).resolves({ TemplateBody: '{}' });
    const result = await broadeningGate(client, 's', deployed, () => [
      { kind: 'network', resource: 'r', words: 'a new route' },
    ]);
    expect(result).toEqual({
      broadening: true,
      summary: expect.stringContaining('- **network** a new route') as string,
    });
  });
});
