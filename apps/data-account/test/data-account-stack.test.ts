import { loadEnvironment, synthAccountStackForTest } from '@airlock/shared';
import { EXAMPLE_TARGET_ROLE_TRUST } from '@airlock/shared/testing';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { DataAccountStack } from '../src/data-account-stack.js';

const airlock = loadEnvironment('example');
const { stack, template } = synthAccountStackForTest(
  (app) =>
    new DataAccountStack(app, {
      airlock,
      functionCode: () => lambda.Code.fromInline('export const handler = async () => ({});'),
    }),
);
type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const idOf = (type: string, prefix: string) =>
  ofType(type)
    .map(([id]) => id)
    .find((id) => id.startsWith(prefix))!;

const KEY = idOf('AWS::KMS::Key', 'Key');
const BUCKET = ofType('AWS::S3::Bucket').find(
  ([, r]) => r.Properties.BucketName === 'airlock-example-data-333333333333-eu-west-1',
)![0];
const TABLE = idOf('AWS::DynamoDB::GlobalTable', 'StoreRuns');
const bucketObjects = (pattern: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [BUCKET, 'Arn'] }, `/${pattern}`]] });
const keyArn = { 'Fn::GetAtt': [KEY, 'Arn'] };
const tableArn = { 'Fn::GetAtt': [TABLE, 'Arn'] };

/** Every statement attached to a role, inline or through AWS::IAM::Policy resources. */
function statementsOf(roleId: string): Array<Record<string, unknown>> {
  const inline = (
    (resources[roleId]!.Properties.Policies as Array<{ PolicyDocument: { Statement: [] } }> | undefined) ?? []
  ).flatMap((p) => p.PolicyDocument.Statement);
  const attached = ofType('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement);
  return [...inline, ...attached];
}
const roleOf = (prefix: string) => idOf('AWS::IAM::Role', prefix);
/** Statements other than the log-group write and X-Ray grants every function has. */
const dataStatements = (roleId: string) =>
  statementsOf(roleId).filter((s) => !JSON.stringify(s.Action).match(/logs:|xray:/));

describe('DataAccountStack', () => {
  it('is pinned to the data account and region', () => {
    expect([stack.account, stack.region, stack.stackName]).toEqual([
      '333333333333',
      'eu-west-1',
      'airlock-example-data',
    ]);
  });

  describe('storage', () => {
    const bucket = resources[BUCKET]!.Properties;

    it('encrypts the bucket with the rotating customer key and blocks all public access', () => {
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      expect(bucket.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
          },
        ],
      });
      expect(bucket.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      expect(bucket.LoggingConfiguration).toMatchObject({ LogFilePrefix: 'data/' });
    });

    it('expires runs/ after one day as a backstop', () => {
      expect((bucket.LifecycleConfiguration as { Rules: unknown[] }).Rules).toContainEqual({
        Id: 'runs-backstop',
        Prefix: 'runs/',
        ExpirationInDays: 1,
        Status: 'Enabled',
      });
    });

    it('denies every request without TLS, and its bucket policies grant no other account anything', () => {
      const policies = ofType('AWS::S3::BucketPolicy').map(([, p]) => p.Properties);
      const data = policies.find((p) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: BUCKET }))!;
      expect((data.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]);
      for (const p of policies) {
        for (const s of (p.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement) {
          if (s.Effect === 'Allow') expect(s.Principal).toEqual({ Service: 'logging.s3.amazonaws.com' });
        }
        expect(JSON.stringify(p)).not.toMatch(/111111111111|222222222222/);
      }
    });

    it('keeps run records in an on-demand table with the customer key, point-in-time recovery and a TTL', () => {
      expect(resources[TABLE]!.Properties).toMatchObject({
        TableName: 'airlock-example-runs',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        Replicas: [
          expect.objectContaining({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { KMSMasterKeyId: keyArn },
            DeletionProtectionEnabled: true,
          }),
        ],
      });
    });

    it('has no resource policy on key, table or state machine that names another account', () => {
      const key = resources[KEY]!.Properties;
      expect(JSON.stringify(key.KeyPolicy)).not.toMatch(/111111111111|222222222222/);
      expect(resources[TABLE]!.Properties).not.toHaveProperty('ResourcePolicy');
      expect(JSON.stringify(resources[TABLE]!.Properties.Replicas)).not.toContain('ResourcePolicy');
      for (const type of [
        'AWS::Logs::ResourcePolicy',
        'AWS::Lambda::Permission',
        'AWS::SQS::QueuePolicy',
        'AWS::SNS::TopicPolicy',
      ])
        template.resourceCountIs(type, 0);
    });
  });

  describe('data-plane workflow', () => {
    const [, machine] = ofType('AWS::StepFunctions::StateMachine')[0]!;
    // The definition is a Fn::Join around the functions' ARNs; each token becomes readable text inside its string.
    const joined = stack.resolve(machine.Properties.DefinitionString) as { 'Fn::Join': [string, unknown[]] };
    const text = joined['Fn::Join'][1]
      .map((part) => (typeof part === 'string' ? part : `<${JSON.stringify(part).replace(/"/g, "'")}>`))
      .join('');
    const definition = JSON.parse(text) as { StartAt: string; States: Record<string, Record<string, unknown>> };

    it('is an Express workflow with the deterministic name, logging errors without execution data', () => {
      expect(machine.Properties).toMatchObject({
        StateMachineName: 'airlock-example-data-plane',
        StateMachineType: 'EXPRESS',
        LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
        TracingConfiguration: { Enabled: true },
      });
    });

    it('routes on action to one Lambda step each, and fails anything else as Airlock.BadRequest', () => {
      expect(definition.StartAt).toBe('Route');
      expect(definition.States.Route).toMatchObject({
        Type: 'Choice',
        Choices: [
          { Variable: '$.action', IsPresent: false, Next: 'BadRequest' },
          { Variable: '$.action', StringEquals: 'prepare', Next: 'Prepare' },
          { Variable: '$.action', StringEquals: 'finalize', Next: 'Finalize' },
          { Variable: '$.action', StringEquals: 'purge', Next: 'Purge' },
        ],
        Default: 'BadRequest',
      });
      expect(definition.States.BadRequest).toMatchObject({ Type: 'Fail', Error: 'Airlock.BadRequest' });
      for (const [name, prefix] of [
        ['Prepare', 'PrepareFunction'],
        ['Finalize', 'FinalizeFunction'],
        ['Purge', 'PurgeFunction'],
      ] as const) {
        expect(definition.States[name]).toMatchObject({
          Type: 'Task',
          End: true,
          Resource: `<{'Fn::GetAtt':['${idOf('AWS::Lambda::Function', prefix)}','Arn']}>`,
        });
      }
      expect(JSON.stringify(definition)).not.toMatch(/\{%|"Arguments"|"QueryLanguage":"JSONata"/);
    });
  });

  describe('invoker role', () => {
    const role = resources[roleOf('InvokerRole')]!.Properties;

    it('trusts only the orchestrator execution role with the analysis state machine as ExternalId', () => {
      expect(role.RoleName).toBe('airlock-example-data-invoker');
      expect(role.AssumeRolePolicyDocument).toEqual(EXAMPLE_TARGET_ROLE_TRUST);
    });

    it('may only start the data-plane workflow synchronously', () => {
      expect(statementsOf(roleOf('InvokerRole'))).toEqual([
        {
          Action: 'states:StartSyncExecution',
          Effect: 'Allow',
          Resource: 'arn:aws:states:eu-west-1:333333333333:stateMachine:airlock-example-data-plane',
        },
      ]);
    });
  });

  describe('function roles: only what each step uses', () => {
    const useKey = { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: keyArn };
    const list = (prefix: string) => ({
      Action: 's3:ListBucket',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [BUCKET, 'Arn'] },
      Condition: { StringLike: { 's3:prefix': `${prefix}*` } },
    });

    it('prepare reads uploads/, writes run inputs and records, and may assume the signer', () => {
      expect(dataStatements(roleOf('PrepareRole'))).toEqual([
        list('uploads/'),
        { Action: 's3:GetObject', Effect: 'Allow', Resource: bucketObjects('uploads/*') },
        { Action: 's3:PutObject', Effect: 'Allow', Resource: bucketObjects('runs/*/input.tar.gz') },
        {
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Effect: 'Allow',
          Resource: tableArn,
        },
        { Action: 'sts:AssumeRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [roleOf('UrlSigner'), 'Arn'] } },
        useKey,
      ]);
    });

    it('finalize reads run outputs, writes reports and updates records', () => {
      expect(dataStatements(roleOf('FinalizeRole'))).toEqual([
        list('runs/'),
        { Action: 's3:GetObject', Effect: 'Allow', Resource: bucketObjects('runs/*/output.json') },
        { Action: 's3:PutObject', Effect: 'Allow', Resource: bucketObjects('results/*/report.json') },
        { Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: tableArn },
        useKey,
      ]);
    });

    it('purge lists and deletes under runs/ only', () => {
      expect(dataStatements(roleOf('PurgeRole'))).toEqual([
        list('runs/'),
        { Action: 's3:DeleteObject', Effect: 'Allow', Resource: bucketObjects('runs/*') },
      ]);
    });

    it('each function role is assumable only by Lambda of the data account', () => {
      for (const prefix of ['PrepareRole', 'FinalizeRole', 'PurgeRole']) {
        expect(resources[roleOf(prefix)]!.Properties.AssumeRolePolicyDocument).toEqual({
          Version: '2012-10-17',
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': '333333333333' } },
            },
          ],
        });
      }
    });

    it('no function role has a wildcard action or a managed policy', () => {
      for (const prefix of ['PrepareRole', 'FinalizeRole', 'PurgeRole', 'UrlSigner', 'InvokerRole']) {
        const actions = statementsOf(roleOf(prefix)).flatMap((s) => [s.Action].flat() as string[]);
        expect(actions.filter((a) => a.includes('*'))).toEqual([]);
        expect(resources[roleOf(prefix)]!.Properties).not.toHaveProperty('ManagedPolicyArns');
      }
    });
  });

  describe('URL signer role', () => {
    const signer = roleOf('UrlSigner');

    it("is assumable only by the prepare step's role, for at most an hour", () => {
      expect(resources[signer]!.Properties).toMatchObject({
        MaxSessionDuration: 3600,
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::GetAtt': [roleOf('PrepareRole'), 'Arn'] } },
            },
          ],
        },
      });
    });

    it('can read run inputs and write run outputs, nothing else', () => {
      expect(statementsOf(signer)).toEqual([
        { Action: 's3:GetObject', Effect: 'Allow', Resource: bucketObjects('runs/*/input.tar.gz') },
        { Action: 's3:PutObject', Effect: 'Allow', Resource: bucketObjects('runs/*/output.json') },
        { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: keyArn },
      ]);
    });
  });

  it('runs every function on a supported Node.js runtime on arm64, with tracing and its own encrypted log group', () => {
    const functions = ofType('AWS::Lambda::Function').map(([, f]) => f.Properties);
    expect(functions).toHaveLength(3);
    for (const fn of functions) {
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: expect.anything() },
      });
    }
    const prepareEnv = (
      functions.find((f) => JSON.stringify(f.Environment).includes('SIGNER_ROLE_ARN'))!.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(Object.keys(prepareEnv).sort()).toEqual([
      'BUCKET_ARN',
      'BUCKET_KEY_ARN',
      'BUCKET_NAME',
      'NODE_OPTIONS',
      'RUN_TIMEOUT_SECONDS',
      'SIGNER_ROLE_ARN',
      'TABLE_NAME',
    ]);
  });
});
