import './promise-with-resolvers.js';
import { loadEnvironment, synthAccountStackForTest } from '@airlock/shared';
import { StateMachine as LocalStateMachine } from 'aws-local-stepfunctions';
import { EXAMPLE_TARGET_ROLE_TRUST } from '@airlock/shared/testing';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { runWindow } from '@airlock/contracts';
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
/** Statements other than the log-group write, X-Ray and network-interface grants every function has. */
const dataStatements = (roleId: string) =>
  statementsOf(roleId).filter((s) => !JSON.stringify(s.Action).match(/logs:|xray:|ec2:/));
/** CDK's provider that strips the VPC's default security group: a deploy-time custom resource, not a data-plane step. */
const RESTRICT_DEFAULT_SG_PROVIDER = 'CustomVpcRestrictDefaultSGCustomResourceProvider';
const dataFunctions = ofType('AWS::Lambda::Function').filter(([id]) => !id.startsWith(RESTRICT_DEFAULT_SG_PROVIDER));

const stateMachineNamed = (name: string) =>
  ofType('AWS::StepFunctions::StateMachine').find(([, r]) => r.Properties.StateMachineName === name)![1];
type Definition = { StartAt: string; States: Record<string, Record<string, unknown>> };
/** The definition is a Fn::Join around ARNs and names; each token becomes readable text inside its string. */
function definitionOf(machine: Resource): Definition {
  const joined = stack.resolve(machine.Properties.DefinitionString) as { 'Fn::Join': [string, unknown[]] };
  const text = joined['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : `<${JSON.stringify(part).replace(/"/g, "'")}>`))
    .join('');
  return JSON.parse(text) as Definition;
}

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

    it("expires runs/ after one day as a backstop, which outlasts the run's whole window", () => {
      expect((bucket.LifecycleConfiguration as { Rules: unknown[] }).Rules).toContainEqual({
        Id: 'runs-backstop',
        Prefix: 'runs/',
        ExpirationInDays: 1,
        Status: 'Enabled',
      });
      expect(runWindow(airlock.run.timeoutSeconds).sweepSeconds).toBeLessThan(86_400);
    });

    it('keeps uploads and reports only for the retention the environment sets (defaults 30 and 90 days)', () => {
      const rules = (bucket.LifecycleConfiguration as { Rules: unknown[] }).Rules;
      expect(rules).toContainEqual({
        Id: 'uploads-retention',
        Prefix: 'uploads/',
        ExpirationInDays: 30,
        Status: 'Enabled',
      });
      expect(rules).toContainEqual({
        Id: 'results-retention',
        Prefix: 'results/',
        ExpirationInDays: 90,
        Status: 'Enabled',
      });
    });

    it('sends its object events to EventBridge without a custom-resource Lambda', () => {
      expect(bucket.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
      template.resourceCountIs('Custom::S3BucketNotifications', 0);
    });

    const policies = ofType('AWS::S3::BucketPolicy').map(([, p]) => p.Properties);
    const dataPolicy = policies.find((p) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: BUCKET }))!;
    const dataStatements = (dataPolicy.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;

    it('denies every request without TLS, and its bucket policies grant no other account anything', () => {
      expect(dataStatements[0]).toEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      for (const p of policies) {
        for (const s of (p.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement) {
          if (s.Effect === 'Allow') expect(s.Principal).toEqual({ Service: 'logging.s3.amazonaws.com' });
          // The sandbox account appears only as the network a Deny admits, never as a grantee.
          if (s.Effect === 'Allow' || s.Sid !== 'SignerOnlyThroughTheSandboxNetwork')
            expect(JSON.stringify(s)).not.toMatch(/111111111111|222222222222/);
        }
      }
    });

    it("denies the URL signer's requests on runs/ that do not come through a sandbox-account endpoint", () => {
      expect(dataStatements).toHaveLength(2);
      expect(dataStatements[1]).toEqual({
        Sid: 'SignerOnlyThroughTheSandboxNetwork',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Resource: bucketObjects('runs/*'),
        Condition: {
          // Scoped to the signer, so administrators keep runs/; the signer is named by ARN, as its name is fixed.
          ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::333333333333:role/airlock-example-data-url-signer' },
          // A request from the internet has no aws:VpceAccount: StringNotEquals matches it, and no Null guard
          // (which would exempt exactly those requests) may sit beside it.
          StringNotEquals: { 'aws:VpceAccount': '222222222222' },
        },
      });
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
    const machine = stateMachineNamed('airlock-example-data-plane');
    const definition = definitionOf(machine);

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

  describe('late-object sweeper', () => {
    const machine = stateMachineNamed('airlock-example-late-object-sweeper');
    const definition = definitionOf(machine);
    const [ruleId, rule] = ofType('AWS::Events::Rule')[0]!;
    const sweeperRole = roleOf('LateObjectSweeperRole');

    it("runs on every object created under the data bucket's runs/", () => {
      expect(ofType('AWS::Events::Rule')).toHaveLength(1);
      expect(rule.Properties.Name).toBe('airlock-example-late-object-sweep');
      expect(rule.Properties.EventPattern).toEqual({
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [{ Ref: BUCKET }] }, object: { key: [{ prefix: 'runs/' }] } },
      });
      expect(ruleId).toBeDefined();
    });

    it('starts an Express workflow of SDK integrations only: no Lambda per object or per run', () => {
      expect(machine.Properties.StateMachineType).toBe('EXPRESS');
      const resources = Object.values(definition.States)
        .filter((state) => state.Type === 'Task')
        .map((state) => state.Resource);
      expect(resources).toEqual([
        'arn:aws:states:::aws-sdk:dynamodb:getItem',
        'arn:aws:states:::aws-sdk:s3:deleteObject',
      ]);
      expect(dataFunctions).toHaveLength(3);
      expect(ofType('AWS::Lambda::Function')).toHaveLength(dataFunctions.length + 1);
    });

    it("the rule's role trusts EventBridge for this rule only and may start only the sweeper", () => {
      const target = (rule.Properties.Targets as Array<{ Arn: unknown; RoleArn: { 'Fn::GetAtt': [string] } }>)[0]!;
      const eventsRole = target.RoleArn['Fn::GetAtt'][0];
      expect(resources[eventsRole]!.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '333333333333' },
              ArnEquals: {
                'aws:SourceArn': 'arn:aws:events:eu-west-1:333333333333:rule/airlock-example-late-object-sweep',
              },
            },
          },
        ],
      });
      expect(statementsOf(eventsRole)).toEqual([
        { Action: 'states:StartExecution', Effect: 'Allow', Resource: target.Arn },
      ]);
    });

    it("reads only a run record's status and deletes only under runs/", () => {
      expect(dataStatements(sweeperRole)).toEqual([
        {
          Action: 'dynamodb:GetItem',
          Effect: 'Allow',
          Resource: tableArn,
          Condition: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['run#*'] },
            'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'status'] },
            StringEquals: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
          },
        },
        { Action: 's3:DeleteObject', Effect: 'Allow', Resource: bucketObjects('runs/*') },
      ]);
    });

    const engine = new LocalStateMachine(definition as never, { validationOptions: { checkArn: false } });
    /** Runs the synthesized definition on the local engine against a table of run statuses; returns deleted keys. */
    async function sweep(key: string, statuses: Record<string, string>): Promise<string[]> {
      const deleted: string[] = [];
      await engine.run({ detail: { bucket: { name: 'b' }, object: { key } } } as never, {
        overrides: {
          taskResourceLocalHandlers: {
            ReadRunStatus: async (input: { Key: { pk: { S: string } }; ProjectionExpression: string }) => {
              expect(input.ProjectionExpression).toBe('#status');
              const status = statuses[input.Key.pk.S];
              return status ? { Item: { status: { S: status } } } : {};
            },
            DeleteObject: async (input: { Key: string }) => {
              deleted.push(input.Key);
              return {};
            },
          } as never,
        },
      }).result;
      return deleted;
    }

    it.each([
      ['PREPARING', []],
      ['PREPARED', []],
      ['FINALIZING', ['runs/run-1/output.json']],
      ['SUCCEEDED', ['runs/run-1/output.json']],
      ['FAILED', ['runs/run-1/output.json']],
    ])('an object of a %s run is deleted: %j', async (status, deleted) => {
      expect(await sweep('runs/run-1/output.json', { 'run#run-1': status })).toEqual(deleted);
    });

    it('deletes an object of a run that has no record (purged and expired, or never prepared)', async () => {
      expect(await sweep('runs/run-2/output.json', { 'run#run-1': 'PREPARED' })).toEqual(['runs/run-2/output.json']);
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

    const runAttributes = [
      'pk',
      'runId',
      'submissionId',
      'status',
      'attempt',
      'createdAt',
      'updatedAt',
      'expiresAt',
      'reason',
      'resultKey',
      'inputSha256',
      'stdoutTail',
      'stderrTail',
      'entries',
      'unpackedBytes',
    ];
    const records = (actions: string[], key: string, attributes: string[]) => ({
      Action: actions,
      Effect: 'Allow',
      Resource: tableArn,
      Condition: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [key] },
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': attributes },
        StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
      },
    });

    it('prepare reads uploads/, claims submissions (never their submitter), writes run inputs and records, and may assume the signer', () => {
      expect(dataStatements(roleOf('PrepareRole'))).toEqual([
        list('uploads/'),
        { Action: 's3:GetObject', Effect: 'Allow', Resource: bucketObjects('uploads/*') },
        { Action: 's3:PutObject', Effect: 'Allow', Resource: bucketObjects('runs/*/input.tar.gz') },
        records(['dynamodb:GetItem', 'dynamodb:UpdateItem'], 'submission#*', [
          'pk',
          'status',
          'archiveKey',
          'sha256',
          'claimedBy',
          'claimedAt',
        ]),
        records(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], 'run#*', runAttributes),
        { Action: 'sts:AssumeRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [roleOf('UrlSigner'), 'Arn'] } },
        useKey,
      ]);
    });

    it('finalize reads run outputs, writes (or reads and removes a foreign) report and updates run records', () => {
      expect(dataStatements(roleOf('FinalizeRole'))).toEqual([
        list('runs/'),
        { Action: 's3:GetObject', Effect: 'Allow', Resource: bucketObjects('runs/*/output.json') },
        {
          Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
          Effect: 'Allow',
          Resource: bucketObjects('results/*/report.json'),
        },
        records(['dynamodb:GetItem', 'dynamodb:UpdateItem'], 'run#*', runAttributes),
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

    it('each function role may manage network interfaces, as Lambda needs to place the function in its VPC', () => {
      for (const prefix of ['PrepareRole', 'FinalizeRole', 'PurgeRole']) {
        expect(statementsOf(roleOf(prefix)).filter((s) => JSON.stringify(s.Action).includes('ec2:'))).toEqual([
          {
            Action: [
              'ec2:CreateNetworkInterface',
              'ec2:DescribeNetworkInterfaces',
              'ec2:DescribeSubnets',
              'ec2:DeleteNetworkInterface',
              'ec2:AssignPrivateIpAddresses',
              'ec2:UnassignPrivateIpAddresses',
            ],
            Effect: 'Allow',
            Resource: '*',
          },
        ]);
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
    const functions = dataFunctions.map(([, f]) => f.Properties);
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
      'RUN_RECORD_RETENTION_DAYS',
      'RUN_TIMEOUT_SECONDS',
      'SANDBOX_ACCOUNT',
      'SIGNER_ROLE_ARN',
      'TABLE_NAME',
    ]);
  });
});
