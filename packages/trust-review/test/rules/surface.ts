import { loadEnvironment, type AccountRole } from '@airlock/shared/environment';
import type {
  NetworkResourceModel,
  OtherResourceModel,
  PolicyDocument,
  ResourcePolicyModel,
  RoleModel,
  Statement,
  TaskDefinitionModel,
  TrustSurface,
} from '@airlock/cloud-assembly';

// Small hand-made surfaces for rule tests: only what a rule reads, in the example environment's accounts.
export const env = loadEnvironment('example');

const document = (statements: readonly Statement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});

export function role(
  account: AccountRole,
  name: string,
  trust: readonly Statement[],
  permissions: readonly Statement[] = [],
): RoleModel {
  const accountId = env.accounts[account];
  return {
    ...placed(account, name),
    name,
    arn: `arn:aws:iam::${accountId}:role/${name}`,
    generatedName: false,
    usedBy: '',
    trust: document(trust),
    permissions: permissions.length > 0 ? [{ name: 'policy', document: document(permissions) }] : [],
    managedPolicyArns: [],
  };
}

export function resourcePolicy(
  account: AccountRole,
  type: string,
  logicalId: string,
  statements: readonly Statement[],
): ResourcePolicyModel {
  return {
    ...placed(account, logicalId),
    type,
    isEndpointPolicy: type === 'AWS::EC2::VPCEndpoint',
    policy: document(statements),
  };
}

export function taskDefinition(family: string, taskRoleArn?: string): TaskDefinitionModel {
  return {
    account: 'sandbox',
    accountId: env.accounts.sandbox,
    stack: 'airlock-example-sandbox',
    logicalId: 'TaskDefinition',
    family,
    ...(taskRoleArn ? { taskRoleArn } : {}),
    networkMode: 'awsvpc',
    volumes: [],
    containers: [],
  };
}

export function networkResource(
  type: string,
  logicalId: string,
  properties: Record<string, unknown>,
): NetworkResourceModel {
  return {
    account: 'sandbox',
    accountId: env.accounts.sandbox,
    stack: 'airlock-example-sandbox',
    logicalId,
    type,
    properties,
  };
}

export function otherResource(
  account: AccountRole,
  type: string,
  logicalId: string,
  properties: Record<string, unknown>,
): OtherResourceModel {
  return { ...placed(account, logicalId), type, properties };
}

/** The sandbox network as synthesized, reduced to what the rules read: one isolated subnet, the runner's group. */
export const sandboxNetworkResources = (): NetworkResourceModel[] => [
  networkResource('AWS::EC2::VPC', 'Vpc', { CidrBlock: '10.64.0.0/20' }),
  networkResource('AWS::EC2::Subnet', 'Subnet1', {
    CidrBlock: '10.64.0.0/24',
    MapPublicIpOnLaunch: false,
    VpcId: 'airlock-example-sandbox-Vpc',
  }),
  networkResource('AWS::EC2::SubnetRouteTableAssociation', 'Subnet1Association', {
    RouteTableId: 'airlock-example-sandbox-Subnet1Table',
    SubnetId: 'airlock-example-sandbox-Subnet1',
  }),
  networkResource('AWS::EC2::SecurityGroup', 'TaskGroup', {
    SecurityGroupEgress: [{ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 }],
    VpcId: 'airlock-example-sandbox-Vpc',
  }),
  networkResource('AWS::Route53Resolver::FirewallRuleGroupAssociation', 'DnsFirewall', {
    FirewallRuleGroupId: 'Rules.Id',
    VpcId: 'airlock-example-sandbox-Vpc',
    MutationProtection: 'ENABLED',
  }),
];

export const surfaceOf = (parts: Partial<Omit<TrustSurface, 'env'>>): TrustSurface => ({
  env,
  roles: [],
  policiesOnOtherRoles: [],
  resourcePolicies: [],
  managedPolicies: [],
  taskDefinitions: [],
  stateMachines: [],
  networkResources: [],
  acknowledgements: [],
  identities: [],
  accessKeys: [],
  groupMemberships: [],
  otherResources: [],
  ...parts,
});

/** The orchestrator execution role's trust, as the design wants it: the compliant baseline of several rules. */
export const statesTrust: Statement = {
  Effect: 'Allow',
  Principal: { Service: 'states.amazonaws.com' },
  Action: 'sts:AssumeRole',
  Condition: {
    StringEquals: { 'aws:SourceAccount': '111111111111' },
    ArnEquals: { 'aws:SourceArn': 'arn:aws:states:eu-west-1:111111111111:stateMachine:airlock-example-analysis' },
  },
};

/** A target role's trust, as the design wants it (I1). */
export const targetTrust: Statement = {
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111111111111:root' },
  Action: 'sts:AssumeRole',
  Condition: {
    ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/airlock-example-orchestrator' },
    StringEquals: { 'sts:ExternalId': 'arn:aws:states:eu-west-1:111111111111:stateMachine:airlock-example-analysis' },
  },
};

/** Where a resource of the example environment stands: its account and stack, as the surface names them. */
function placed(account: AccountRole, logicalId: string) {
  return { account, accountId: env.accounts[account], stack: `airlock-example-${account}`, logicalId };
}
