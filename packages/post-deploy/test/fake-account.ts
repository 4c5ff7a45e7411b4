import { fileURLToPath } from 'node:url';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeFlowLogsCommand,
  DescribeManagedPrefixListsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { accountStack, asList, readDefinition, resolveIntrinsics, type TemplateContext } from '@airlock/cloud-assembly';
import { accountStackName } from '@airlock/contracts';
import { loadEnvironment, type AccountRole } from '@airlock/shared/environment';
import { mockClient } from 'aws-sdk-client-mock';
import type { ReadClients } from '../src/verify-against-assembly.js';

export const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const env = loadEnvironment('example');

type Doc = { Statement: Array<Record<string, unknown>> } & Record<string, unknown>;

/** What the fake account holds, in the shapes AWS returns; tests change it to make a deploy unfaithful. */
export interface FakeAccount {
  readonly stackName: string;
  readonly physicalIds: Record<string, string>;
  readonly roles: Map<
    string,
    { trust: Doc; inline: Map<string, Doc>; attached: string[]; boundary: string | undefined }
  >;
  readonly stateMachines: Map<string, Record<string, unknown>>;
  readonly flowLogs: Map<string, Record<string, unknown>>;
  readonly bucketPolicies: Map<string, Doc>;
  readonly taskDefinitions: Map<string, Record<string, unknown>>;
  readonly prefixLists: Map<string, string>;
  readonly defaultSecurityGroups: Map<string, string>;
  /** Which SDK command names are denied (AccessDenied), and which stack is missing. */
  readonly denied: Set<string>;
  stackMissing: boolean;
}

/** IAM's way of returning a document: single values unwrapped, statements in another order. */
const asIamWrites = (doc: unknown): Doc => {
  const d = doc as Doc;
  return {
    ...d,
    Statement: [...asList(d.Statement)]
      .reverse()
      .map((s) =>
        Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Array.isArray(v) && v.length === 1 ? v[0] : v])),
      ),
  };
};

const PHYSICAL: Record<string, (id: string, stack: string) => string> = {
  'AWS::EC2::VPC': (id) => `vpc-0${id.length}a1b2c3d4`,
  'AWS::EC2::SecurityGroup': (id) => `sg-0${id.length}e5f6`,
  'AWS::EC2::FlowLog': (id) => `fl-0${id.length}abc`,
  'AWS::Route53Resolver::FirewallRuleGroup': () => 'rslvr-frg-0123456789abcdef',
  'AWS::KMS::Key': (id) => `1234abcd-12ab-34cd-56ef-${String(id.length).padStart(12, '0')}`,
};

/**
 * A faithful deploy of the account's synthesized stack, as AWS would answer the read calls: CloudFormation's
 * generated names (`<stack>-<logicalId>-<suffix>`), a task definition at revision 7, URL-encoded IAM documents with
 * statements reordered and single values unwrapped.
 */
export function faithfulAccount(account: AccountRole): FakeAccount {
  const stackName = accountStackName(env, account);
  const resources = (accountStack(env, workspaceRoot, account).template as { Resources: TemplateContext['resources'] })
    .Resources;
  const base: TemplateContext = {
    accountId: env.accounts[account],
    region: env.region,
    partition: env.partition,
    stackName,
    resources,
  };
  const physicalIds: Record<string, string> = {};
  for (const [id, r] of Object.entries(resources)) {
    const props = r.Properties ?? {};
    const explicit = [
      'RoleName',
      'BucketName',
      'StateMachineName',
      'TableName',
      'ClusterName',
      'LogGroupName',
      'FunctionName',
    ]
      .map((k) => props[k])
      .find((v) => typeof v === 'string') as string | undefined;
    const made = PHYSICAL[r.Type]?.(id, stackName);
    if (made) physicalIds[id] = made;
    else if (r.Type === 'AWS::StepFunctions::StateMachine' || r.Type === 'AWS::ECS::TaskDefinition') continue;
    else physicalIds[id] = explicit ?? `${stackName}-${id.slice(0, 20)}-X1Y2Z3`;
  }
  const withNames: TemplateContext = { ...base, physicalIds };
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::StepFunctions::StateMachine')
      physicalIds[id] =
        `arn:aws:states:${env.region}:${env.accounts[account]}:stateMachine:${String(r.Properties?.StateMachineName ?? physicalIds[id])}`;
    if (r.Type === 'AWS::ECS::TaskDefinition')
      physicalIds[id] =
        `arn:aws:ecs:${env.region}:${env.accounts[account]}:task-definition/${String(r.Properties?.Family)}:7`;
  }
  const defaultSecurityGroups = new Map<string, string>();
  const attributes: Record<string, string> = {};
  for (const [id, r] of Object.entries(resources))
    if (r.Type === 'AWS::EC2::VPC') {
      defaultSecurityGroups.set(physicalIds[id]!, 'sg-0default');
      attributes[`${id}.DefaultSecurityGroup`] = 'sg-0default';
    }
  const ctx: TemplateContext = { ...withNames, physicalIds, attributes };
  const resolve = (v: unknown) => resolveIntrinsics(v, ctx) as Record<string, unknown>;
  const ofType = (type: string) =>
    Object.entries(resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => [id, resolve(r.Properties ?? {})] as const);

  const roles: FakeAccount['roles'] = new Map();
  for (const [id, props] of ofType('AWS::IAM::Role')) {
    const inline = new Map<string, Doc>();
    for (const p of asList(props.Policies as Array<{ PolicyName: string; PolicyDocument: Doc }>))
      inline.set(p.PolicyName, asIamWrites(p.PolicyDocument));
    roles.set(physicalIds[id]!, {
      trust: asIamWrites(props.AssumeRolePolicyDocument),
      inline,
      attached: asList(props.ManagedPolicyArns as string[]),
      boundary: props.PermissionsBoundary as string | undefined,
    });
  }
  for (const [, props] of ofType('AWS::IAM::Policy'))
    for (const role of asList(props.Roles as string[]))
      roles.get(role)!.inline.set(String(props.PolicyName), asIamWrites(props.PolicyDocument));

  const stateMachines = new Map<string, Record<string, unknown>>();
  for (const [id, props] of ofType('AWS::StepFunctions::StateMachine')) {
    const logging = props.LoggingConfiguration as Record<string, unknown>;
    const encryption = props.EncryptionConfiguration as Record<string, unknown> | undefined;
    const definition = readDefinition(props);
    stateMachines.set(physicalIds[id]!, {
      stateMachineArn: physicalIds[id],
      name: props.StateMachineName,
      type: props.StateMachineType ?? 'STANDARD',
      roleArn: props.RoleArn,
      definition: 'definition' in definition ? JSON.stringify(definition.definition, null, 2) : undefined,
      loggingConfiguration: {
        level: logging.Level,
        includeExecutionData: logging.IncludeExecutionData,
        destinations: (logging.Destinations as Array<{ CloudWatchLogsLogGroup: { LogGroupArn: string } }>).map((d) => ({
          cloudWatchLogsLogGroup: { logGroupArn: d.CloudWatchLogsLogGroup.LogGroupArn },
        })),
      },
      tracingConfiguration: {
        enabled: (props.TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled ?? false,
      },
      encryptionConfiguration: encryption
        ? {
            type: encryption.Type,
            kmsKeyId: encryption.KmsKeyId,
            kmsDataKeyReusePeriodSeconds: encryption.KmsDataKeyReusePeriodSeconds,
          }
        : { type: 'AWS_OWNED_KEY' },
    });
  }

  const flowLogs = new Map<string, Record<string, unknown>>();
  for (const [id, props] of ofType('AWS::EC2::FlowLog'))
    flowLogs.set(physicalIds[id]!, {
      FlowLogId: physicalIds[id],
      FlowLogStatus: 'ACTIVE',
      DeliverLogsStatus: 'SUCCESS',
      ResourceId: props.ResourceId,
      TrafficType: props.TrafficType,
      LogDestinationType: props.LogDestinationType,
      LogGroupName: props.LogGroupName,
      DeliverLogsPermissionArn: props.DeliverLogsPermissionArn,
    });

  const bucketPolicies = new Map<string, Doc>();
  for (const [, props] of ofType('AWS::S3::BucketPolicy'))
    bucketPolicies.set(String(props.Bucket), asIamWrites(props.PolicyDocument));

  const taskDefinitions = new Map<string, Record<string, unknown>>();
  const camel = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(camel)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.charAt(0).toLowerCase() + k.slice(1), camel(x)]))
        : v;
  for (const [id, props] of ofType('AWS::ECS::TaskDefinition'))
    taskDefinitions.set(physicalIds[id]!, {
      ...(camel(props) as Record<string, unknown>),
      taskDefinitionArn: physicalIds[id],
      revision: 7,
      // ECS fills in defaults the template leaves out.
      containerDefinitions: (camel(props.ContainerDefinitions) as Array<Record<string, unknown>>).map((c) => ({
        cpu: 0,
        portMappings: [],
        volumesFrom: [],
        ...c,
        linuxParameters: {
          ...(c.linuxParameters as object),
          capabilities: { add: [], ...((c.linuxParameters as { capabilities?: object }).capabilities ?? {}) },
        },
      })),
    });

  return {
    stackName,
    physicalIds,
    roles,
    stateMachines,
    flowLogs,
    bucketPolicies,
    taskDefinitions,
    prefixLists: new Map([
      [`com.amazonaws.${env.region}.s3`, env.sandbox.s3PrefixListId],
      [`com.amazonaws.${env.region}.dynamodb`, env.data.dynamodbPrefixListId],
    ]),
    defaultSecurityGroups,
    denied: new Set(),
    stackMissing: false,
  };
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

/** Mocked SDK clients answering from the fake account (aws-sdk-client-mock), as the lookup role would. */
export function readClientsOf(fake: FakeAccount): ReadClients {
  const clients: ReadClients = {
    cloudFormation: new CloudFormationClient({ region: env.region }),
    ec2: new EC2Client({ region: env.region }),
    ecs: new ECSClient({ region: env.region }),
    iam: new IAMClient({ region: env.region }),
    s3: new S3Client({ region: env.region }),
    sfn: new SFNClient({ region: env.region }),
  };
  const guard =
    <I, O>(name: string, answer: (input: I) => O) =>
    (input: I): O => {
      if (fake.denied.has(name)) throw awsError('AccessDenied', `not authorized to perform ${name}`);
      return answer(input);
    };
  const encode = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));
  const role = (name: string) => {
    const r = fake.roles.get(name);
    if (!r) throw awsError('NoSuchEntity', `The role with name ${name} cannot be found.`);
    return r;
  };

  mockClient(clients.cloudFormation)
    .on(ListStackResourcesCommand)
    .callsFake(
      guard('ListStackResources', (input: { StackName?: string }) => {
        if (fake.stackMissing || input.StackName !== fake.stackName)
          throw awsError('ValidationError', `Stack with id ${input.StackName} does not exist`);
        return {
          StackResourceSummaries: Object.entries(fake.physicalIds).map(([LogicalResourceId, PhysicalResourceId]) => ({
            LogicalResourceId,
            PhysicalResourceId,
          })),
        };
      }),
    );
  const ec2 = mockClient(clients.ec2);
  ec2.on(DescribeManagedPrefixListsCommand).callsFake(
    guard('DescribeManagedPrefixLists', (input: { Filters?: Array<{ Values?: string[] }> }) => {
      const name = input.Filters?.[0]?.Values?.[0] ?? '';
      const id = fake.prefixLists.get(name);
      return { PrefixLists: id ? [{ PrefixListName: name, PrefixListId: id }] : [] };
    }),
  );
  ec2.on(DescribeSecurityGroupsCommand).callsFake(
    guard('DescribeSecurityGroups', (input: { Filters?: Array<{ Name?: string; Values?: string[] }> }) => {
      const vpc = input.Filters?.find((f) => f.Name === 'vpc-id')?.Values?.[0] ?? '';
      const id = fake.defaultSecurityGroups.get(vpc);
      return { SecurityGroups: id ? [{ GroupId: id, GroupName: 'default', VpcId: vpc }] : [] };
    }),
  );
  ec2.on(DescribeFlowLogsCommand).callsFake(
    guard('DescribeFlowLogs', (input: { FlowLogIds?: string[] }) => ({
      FlowLogs: (input.FlowLogIds ?? []).flatMap((id) => (fake.flowLogs.has(id) ? [fake.flowLogs.get(id)] : [])),
    })),
  );
  const iam = mockClient(clients.iam);
  iam.on(GetRoleCommand).callsFake(
    guard('GetRole', (input: { RoleName: string }) => {
      const r = role(input.RoleName);
      return {
        Role: {
          RoleName: input.RoleName,
          AssumeRolePolicyDocument: encode(r.trust),
          PermissionsBoundary: r.boundary
            ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: r.boundary }
            : undefined,
        },
      };
    }),
  );
  iam.on(ListRolePoliciesCommand).callsFake(
    guard('ListRolePolicies', (input: { RoleName: string }) => ({
      PolicyNames: [...role(input.RoleName).inline.keys()],
    })),
  );
  iam.on(GetRolePolicyCommand).callsFake(
    guard('GetRolePolicy', (input: { RoleName: string; PolicyName: string }) => {
      const doc = role(input.RoleName).inline.get(input.PolicyName);
      if (!doc) throw awsError('NoSuchEntity', `The role policy with name ${input.PolicyName} cannot be found.`);
      return { RoleName: input.RoleName, PolicyName: input.PolicyName, PolicyDocument: encode(doc) };
    }),
  );
  iam.on(ListAttachedRolePoliciesCommand).callsFake(
    guard('ListAttachedRolePolicies', (input: { RoleName: string }) => ({
      AttachedPolicies: role(input.RoleName).attached.map((PolicyArn) => ({
        PolicyArn,
        PolicyName: PolicyArn.split('/').pop(),
      })),
    })),
  );
  mockClient(clients.sfn)
    .on(DescribeStateMachineCommand)
    .callsFake(
      guard('DescribeStateMachine', (input: { stateMachineArn: string; includedData?: string }) => {
        const machine = fake.stateMachines.get(input.stateMachineArn);
        if (!machine)
          throw awsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${input.stateMachineArn}'`);
        const encrypted = (machine.encryptionConfiguration as { type: string }).type === 'CUSTOMER_MANAGED_KMS_KEY';
        // As Step Functions does: an encrypted definition only for a caller that may decrypt it (the lookup role may not).
        if (encrypted && input.includedData !== 'METADATA_ONLY')
          throw awsError('KmsAccessDeniedException', 'kms:Decrypt denied');
        const { definition, ...metadata } = machine;
        return input.includedData === 'METADATA_ONLY' ? metadata : { ...metadata, definition };
      }),
    );
  mockClient(clients.s3)
    .on(GetBucketPolicyCommand)
    .callsFake(
      guard('GetBucketPolicy', (input: { Bucket: string }) => {
        const doc = fake.bucketPolicies.get(input.Bucket);
        if (!doc) throw awsError('NoSuchBucketPolicy', 'The bucket policy does not exist');
        return { Policy: JSON.stringify(doc) };
      }),
    );
  mockClient(clients.ecs)
    .on(DescribeTaskDefinitionCommand)
    .callsFake(
      guard('DescribeTaskDefinition', (input: { taskDefinition: string }) => {
        const taskDefinition = fake.taskDefinitions.get(input.taskDefinition);
        if (!taskDefinition) throw awsError('ClientException', 'Unable to describe task definition.');
        return { taskDefinition };
      }),
    );
  return clients;
}
