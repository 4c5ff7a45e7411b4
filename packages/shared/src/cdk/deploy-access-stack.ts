import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { AccountRole, AirlockEnvironment } from '../config/environment-schema.js';
import {
  accountStackName,
  dataInvokerRoleArn,
  sandboxLauncherRoleArn,
  urlSignerRoleArn,
  broadeningDeployRoleArn,
  broadeningDeployRoleName,
  broadeningExecutionPolicyArn,
  broadeningExecutionPolicyName,
  broadeningExecutionRoleArn,
  broadeningExecutionRoleName,
  cfnExecutionPolicyArn,
  cfnExecutionPolicyName,
  deployAccessStackName,
  deployRoleArn,
  deployRoleName,
  driftRoleArn,
  driftRoleName,
  githubBroadeningEnvironment,
  githubDeployEnvironment,
  githubDriftEnvironment,
  githubOidcSubject,
  killSwitchPolicyArn,
  permissionsBoundaryArn,
  permissionsBoundaryName,
  resourceName,
} from '@airlock/contracts';
import { BROADENING_ACTIONS, cloudFormationActions } from './cloudformation-actions.js';

export interface DeployAccessStackProps {
  readonly airlock: AirlockEnvironment & { readonly github: NonNullable<AirlockEnvironment['github']> };
  readonly account: AccountRole;
  /** Services the account's own stack manages: the CloudFormation execution policies allow these and no others. */
  readonly services: readonly string[];
}

export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The CDK bootstrap's default qualifier: its roles are what a pipeline may assume, nothing else. */
const CDK_QUALIFIER = 'hnb659fds';
/**
 * Reads of run data (records, URLs, objects, logs, histories, others' query results) that ReadOnlyAccess grants and
 * neither drift detection nor the deploy tools' reads (templates, roles, state machines) ever need.
 */
export const RUN_DATA_READS = [
  's3:GetObject*',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PartiQLSelect',
  'dynamodb:GetRecords',
  'dynamodb:ConditionCheckItem',
  'ecs:DescribeTasks',
  'cloudtrail:LookupEvents',
  'cloudtrail:GetQueryResults',
  'states:DescribeExecution',
  'states:GetExecutionHistory',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
  'logs:StartQuery',
  'logs:GetQueryResults',
  'logs:StartLiveTail',
  'logs:GetLogRecord',
];
/**
 * The Deny of `RUN_DATA_READS` for a role that only reads configuration (drift, CDK lookup). On `'*'` because it
 * denies: every record, task, trail, history, log and object of the account, whatever its name.
 */
const neverReadRunData = (): iam.PolicyStatement =>
  new iam.PolicyStatement({
    sid: 'NeverReadRunData',
    effect: iam.Effect.DENY,
    actions: RUN_DATA_READS,
    resources: ['*'],
  });

const CDK_BOOTSTRAP_ROLES = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;

/**
 * The services any role of any Airlock stack calls (at run time, deploying, or reading for drift detection). IAM
 * and STS are not among them: those are allowed below on exact or own resources only.
 */
const BOUNDARY_SERVICES = [
  'cloudformation',
  'dynamodb',
  'ec2',
  'ecr',
  'ecs',
  'kms',
  'lambda',
  'logs',
  'route53resolver',
  's3',
  'ssm',
  'states',
  'xray',
] as const;

/** Roles of the account's stacks may assume, besides the CDK bootstrap roles, exactly these (by account). */
const ASSUMED_ROLES: Readonly<Record<AccountRole, (airlock: AirlockEnvironment) => string[]>> = {
  orchestrator: (airlock) => [sandboxLauncherRoleArn(airlock), dataInvokerRoleArn(airlock)],
  sandbox: () => [],
  data: (airlock) => [urlSignerRoleArn(airlock)],
};

/** The IAM actions that accept the `iam:PermissionsBoundary` condition key. */
const BOUNDED_ROLE_ACTIONS = [
  'iam:CreateRole',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
];
/** Every IAM action that writes a role or a managed policy (creating one included: its name could be squatted). */
const IAM_WRITES = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:CreatePolicy',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:DeletePolicy',
  'iam:TagPolicy',
  'iam:UntagPolicy',
];

/**
 * Denies that hold for every role carrying the boundary and in both CloudFormation execution policies: no role
 * without the boundary, no edit of the boundary, the execution policies, the kill switch or the deploy-access roles
 * (an administrator deploys those), no managed policy attached, no kill switch detached, no deploy-access role
 * passed, and no trust change of the account's roles except by the broadening execution role.
 */
export function deployGuardrailStatements(airlock: AirlockEnvironment, account: AccountRole): iam.PolicyStatement[] {
  const boundary = permissionsBoundaryArn(airlock, account);
  const killSwitch = killSwitchPolicyArn(airlock, account);
  return [
    // Why '*' on the Denies below: a Deny narrows, and it must hold for every role and policy of the account.
    new iam.PolicyStatement({
      sid: 'DenyRolesWithoutTheBoundary',
      effect: iam.Effect.DENY,
      actions: BOUNDED_ROLE_ACTIONS,
      resources: ['*'],
      conditions: { StringNotEquals: { 'iam:PermissionsBoundary': boundary } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyRemovingTheBoundary',
      effect: iam.Effect.DENY,
      actions: ['iam:DeleteRolePermissionsBoundary'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DenyEditingTheDeployAccess',
      effect: iam.Effect.DENY,
      actions: IAM_WRITES,
      resources: [
        boundary,
        cfnExecutionPolicyArn(airlock, account),
        broadeningExecutionPolicyArn(airlock, account),
        killSwitch,
        deployRoleArn(airlock, account),
        broadeningDeployRoleArn(airlock, account),
        broadeningExecutionRoleArn(airlock, account),
        driftRoleArn(airlock, account),
      ],
    }),
    new iam.PolicyStatement({
      // The stacks attach no managed policy: every grant is an inline policy the trust review reads. An AWS managed
      // policy (AdministratorAccess) would open every service the boundary lists; a deploy-access one, its powers.
      sid: 'DenyAttachingManagedPolicies',
      effect: iam.Effect.DENY,
      actions: ['iam:AttachRolePolicy'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      // Only the on-call administrator, who carries no boundary, lifts the kill switch.
      sid: 'DenyDetachingTheKillSwitch',
      effect: iam.Effect.DENY,
      actions: ['iam:DetachRolePolicy'],
      resources: ['*'],
      conditions: { ArnEquals: { 'iam:PolicyARN': killSwitch } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyPassingTheDeployAccessRoles',
      effect: iam.Effect.DENY,
      actions: ['iam:PassRole'],
      resources: [
        deployRoleArn(airlock, account),
        broadeningDeployRoleArn(airlock, account),
        driftRoleArn(airlock, account),
      ],
    }),
    new iam.PolicyStatement({
      // Passing it to CloudFormation is what a broadening deploy is; only the reviewer-gated role may.
      sid: 'DenyPassingTheBroadeningExecutionRole',
      effect: iam.Effect.DENY,
      actions: ['iam:PassRole'],
      resources: [broadeningExecutionRoleArn(airlock, account)],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': broadeningDeployRoleArn(airlock, account) } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyTrustChangesOutsideTheBroadeningPath',
      effect: iam.Effect.DENY,
      actions: ['iam:UpdateAssumeRolePolicy'],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': broadeningExecutionRoleArn(airlock, account) } },
    }),
  ];
}

/**
 * Deployed once per account and environment by an administrator, before the first pipeline run:
 * - the GitHub OIDC provider;
 * - the permissions boundary every role of this account's stacks carries (the CDK kit applies it);
 * - the everyday deploy role, trusted only for the `<env>-<account>` GitHub environment, allowed only to assume
 *   the CDK bootstrap roles, whose CloudFormation execution policy (given to `cdk bootstrap
 *   --cloudformation-execution-policies`) denies every change to trust, endpoint policies, security groups and routes;
 * - the broadening deploy role, trusted only for the reviewer-gated `<env>-<account>-broadening` environment, which
 *   alone may pass the broadening execution role that may make those changes;
 * - the drift role, trusted only for the `<env>-<account>-drift` environment: reads the account, detects drift.
 */
export class DeployAccessStack extends Stack {
  readonly boundary: iam.ManagedPolicy;
  readonly deployRole: iam.Role;
  readonly cfnExecutionPolicy: iam.ManagedPolicy;
  readonly broadeningDeployRole: iam.Role;
  readonly broadeningExecutionRole: iam.Role;
  readonly driftRole: iam.Role;

  constructor(scope: Construct, props: DeployAccessStackProps) {
    const { airlock, account } = props;
    const accountId = airlock.accounts[account];
    super(scope, deployAccessStackName(airlock, account), {
      stackName: deployAccessStackName(airlock, account),
      env: { account: accountId, region: airlock.region },
      description: `GitHub OIDC deploy access for the Airlock ${account} account (${airlock.environment})`,
    });
    const arn = (service: string, resource: string, region = '') =>
      `arn:${airlock.partition}:${service}:${region}:${accountId}:${resource}`;
    const bootstrapRole = (role: (typeof CDK_BOOTSTRAP_ROLES)[number]) =>
      arn('iam', `role/cdk-${CDK_QUALIFIER}-${role}-role-${accountId}-${airlock.region}`);
    const bootstrapVersion = arn('ssm', `parameter/cdk-bootstrap/${CDK_QUALIFIER}/version`, airlock.region);
    const guardrails = deployGuardrailStatements(airlock, account);

    this.boundary = new iam.ManagedPolicy(this, 'PermissionsBoundary', {
      managedPolicyName: permissionsBoundaryName(airlock, account),
      description: `Permissions boundary of every role the Airlock ${account} stacks create`,
      statements: [
        // Why '*': a boundary is a ceiling, not a grant; each role's own policy names its resources.
        new iam.PolicyStatement({
          sid: 'CeilingOnlyTheRolesOwnPoliciesGrant',
          actions: [...BOUNDARY_SERVICES.map((service) => `${service}:*`), 'iam:Get*', 'iam:List*'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'WriteOnlyTheAccountsOwnRoles',
          actions: IAM_WRITES,
          resources: [arn('iam', `role/${resourceName(airlock, '')}*`)],
        }),
        new iam.PolicyStatement({
          sid: 'AssumeOnlyTheseRoles',
          actions: ['sts:AssumeRole'],
          resources: [...CDK_BOOTSTRAP_ROLES.map(bootstrapRole), ...ASSUMED_ROLES[account](airlock)],
        }),
        new iam.PolicyStatement({
          sid: 'PassOnlyTheAccountsOwnRoles',
          actions: ['iam:PassRole'],
          resources: [arn('iam', `role/${resourceName(airlock, '')}*`)],
        }),
        ...guardrails,
      ],
    });
    iam.PermissionsBoundary.of(this).apply(this.boundary);

    const provider = new iam.OidcProviderNative(this, 'GitHubOidc', {
      url: GITHUB_OIDC_URL,
      clientIds: ['sts.amazonaws.com'],
    });
    const githubPrincipal = (githubEnvironment: string) =>
      new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: githubOidcSubject(airlock.github.repository, githubEnvironment),
        },
      });

    this.deployRole = new iam.Role(this, 'DeployRole', {
      roleName: deployRoleName(airlock, account),
      description: `Assumed by ${airlock.github.repository} workflows in the "${githubDeployEnvironment(airlock, account)}" GitHub environment to deploy the ${account} app`,
      assumedBy: githubPrincipal(githubDeployEnvironment(airlock, account)),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        'assume-cdk-bootstrap-roles': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: CDK_BOOTSTRAP_ROLES.map(bootstrapRole) }),
          ],
        }),
      },
    });

    // The deploy tools read through the bootstrap's lookup role (ReadOnlyAccess, kms:Decrypt denied): a stolen deploy
    // session could assume it and read a live task's URLs (DescribeTasks, CloudTrail) or the run records. It reads
    // templates, roles and state machines only, so it is denied run data as the drift role is.
    new iam.Policy(this, 'LookupRoleNeverReadsRunData', {
      roles: [
        iam.Role.fromRoleName(this, 'LookupRole', `cdk-${CDK_QUALIFIER}-lookup-role-${accountId}-${airlock.region}`),
      ],
      statements: [neverReadRunData()],
    });

    const ownRoles = arn('iam', `role/${resourceName(airlock, '')}*`);
    const appStatements = (sidPrefix: string) => [
      // Why '*': CloudFormation creates these resources under generated names; IAM and rules are bound by name below.
      new iam.PolicyStatement({
        sid: `${sidPrefix}ManageTheAppsServices`,
        actions: cloudFormationActions(props.services.filter((service) => service !== 'events')),
        resources: ['*'],
      }),
      // EventBridge rules only by the app's own names: a rule on "*" would let a stolen session schedule or route
      // events to anything it creates (found by the escalation matrix).
      ...(props.services.includes('events')
        ? [
            new iam.PolicyStatement({
              sid: `${sidPrefix}ManageOnlyTheAppsOwnRules`,
              actions: cloudFormationActions(['events']),
              resources: [arn('events', `rule/${resourceName(airlock, '')}*`, airlock.region)],
            }),
          ]
        : []),
      new iam.PolicyStatement({
        sid: `${sidPrefix}ManageOnlyTheAppsOwnRolesWithTheBoundary`,
        actions: BOUNDED_ROLE_ACTIONS,
        resources: [ownRoles],
        conditions: { StringEquals: { 'iam:PermissionsBoundary': permissionsBoundaryArn(airlock, account) } },
      }),
      new iam.PolicyStatement({
        sid: `${sidPrefix}ReadPassAndRetireOwnRoles`,
        actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:DeleteRole', 'iam:TagRole', 'iam:UntagRole', 'iam:PassRole'],
        resources: [ownRoles],
      }),
      new iam.PolicyStatement({
        sid: `${sidPrefix}ReadCdkBootstrapVersion`,
        actions: ['ssm:GetParameter', 'ssm:GetParameters'],
        resources: [bootstrapVersion],
      }),
    ];

    this.cfnExecutionPolicy = new iam.ManagedPolicy(this, 'CfnExecutionPolicy', {
      managedPolicyName: cfnExecutionPolicyName(airlock, account),
      description: `What CloudFormation may do when deploying the Airlock ${account} app on the everyday path`,
      statements: [
        ...appStatements(''),
        new iam.PolicyStatement({
          sid: 'DenyBroadeningTrustNetworkAndResourcePolicies',
          effect: iam.Effect.DENY,
          actions: [...BROADENING_ACTIONS],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          // A grant is a key-policy change by another name; the services that encrypt with the key make their own.
          sid: 'DenyKeyGrantsNotForAnAwsResource',
          effect: iam.Effect.DENY,
          actions: ['kms:CreateGrant'],
          resources: ['*'],
          conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false' } },
        }),
        ...guardrails,
      ],
    });

    const broadeningExecutionPolicy = new iam.ManagedPolicy(this, 'BroadeningExecutionPolicy', {
      managedPolicyName: broadeningExecutionPolicyName(airlock, account),
      description: `What CloudFormation may do when a reviewer approved a broadening deploy of the Airlock ${account} app`,
      statements: [
        ...appStatements('Broadening'),
        new iam.PolicyStatement({
          sid: 'BroadeningChangeTheAppsOwnTrust',
          actions: ['iam:UpdateAssumeRolePolicy'],
          resources: [ownRoles],
        }),
        ...guardrails,
      ],
    });
    this.broadeningExecutionRole = new iam.Role(this, 'BroadeningExecutionRole', {
      roleName: broadeningExecutionRoleName(airlock, account),
      description: `CloudFormation's role for reviewer-approved broadening deploys of the ${account} app`,
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': accountId },
      }),
      managedPolicies: [broadeningExecutionPolicy],
      maxSessionDuration: Duration.hours(1),
    });

    const stackArn = arn('cloudformation', `stack/${accountStackName(airlock, account)}/*`, airlock.region);
    const toolkitStackArn = arn('cloudformation', 'stack/CDKToolkit/*', airlock.region);
    this.broadeningDeployRole = new iam.Role(this, 'BroadeningDeployRole', {
      roleName: broadeningDeployRoleName(airlock, account),
      description: `Assumed only by ${airlock.github.repository} workflows in the reviewer-gated "${githubBroadeningEnvironment(airlock, account)}" GitHub environment`,
      assumedBy: githubPrincipal(githubBroadeningEnvironment(airlock, account)),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        'deploy-the-account-stack-with-the-broadening-execution-role': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'PublishAssetsAndLookUpThroughTheBootstrap',
              actions: ['sts:AssumeRole'],
              resources: [bootstrapRole('file-publishing'), bootstrapRole('image-publishing'), bootstrapRole('lookup')],
            }),
            new iam.PolicyStatement({
              sid: 'ChangeOnlyTheAccountStack',
              actions: [
                'cloudformation:CreateChangeSet',
                'cloudformation:DescribeChangeSet',
                'cloudformation:ExecuteChangeSet',
                'cloudformation:DeleteChangeSet',
                'cloudformation:DescribeStacks',
                'cloudformation:DescribeStackEvents',
                'cloudformation:GetTemplate',
                'cloudformation:GetTemplateSummary',
              ],
              resources: [stackArn],
            }),
            new iam.PolicyStatement({
              // The CDK CLI reads the bootstrap stack when it deploys with these credentials instead of its deploy role.
              sid: 'ReadTheBootstrapStack',
              actions: ['cloudformation:DescribeStacks'],
              resources: [toolkitStackArn],
            }),
            new iam.PolicyStatement({
              sid: 'PassOnlyTheBroadeningExecutionRoleToCloudFormation',
              actions: ['iam:PassRole'],
              resources: [this.broadeningExecutionRole.roleArn],
              conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
            }),
            new iam.PolicyStatement({
              sid: 'ReadCdkBootstrapVersion',
              actions: ['ssm:GetParameter'],
              resources: [bootstrapVersion],
            }),
          ],
        }),
      },
    });

    this.driftRole = new iam.Role(this, 'DriftRole', {
      roleName: driftRoleName(airlock, account),
      description: `Detects drift of the ${account} stack on a schedule, from the "${githubDriftEnvironment(airlock, account)}" GitHub environment`,
      assumedBy: githubPrincipal(githubDriftEnvironment(airlock, account)),
      maxSessionDuration: Duration.hours(1),
      // Drift detection reads each resource with the caller's own permissions.
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      inlinePolicies: {
        'detect-drift-of-the-account-stack': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'DetectDriftOfTheAccountStack',
              actions: ['cloudformation:DetectStackDrift', 'cloudformation:DetectStackResourceDrift'],
              resources: [stackArn],
            }),
            new iam.PolicyStatement({
              // As the CDK lookup role does: reading configuration never needs customer data.
              sid: 'NeverDecrypt',
              effect: iam.Effect.DENY,
              actions: ['kms:Decrypt'],
              resources: ['*'],
            }),
            // ReadOnlyAccess also reads data, not only configuration: the run records, a live task's overrides and
            // CloudTrail's RunTask events (both hold the presigned URLs), execution histories, log events and
            // objects. Drift detection reads none of them (it describes resources), so a stolen drift session
            // reaches no run.
            neverReadRunData(),
          ],
        }),
      },
    });
    Validations.of(this.driftRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
      reason:
        'Drift detection reads every resource type of the stack with the caller’s permissions; kms:Decrypt is denied.',
    });
    Validations.of(this.driftRole).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${stackArn}]`,
      reason: 'The stack ID suffix is assigned by CloudFormation; the name is the account stack’s.',
    });

    for (const policy of [this.boundary, this.cfnExecutionPolicy, broadeningExecutionPolicy])
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'CloudFormation creates resources whose names and IDs it generates; the actions are the listed ones of the app’s services, IAM is limited to roles named after this environment, and the boundary is a ceiling over each role’s own least-privilege policies.',
      });
    Validations.of(this.boundary).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn('iam', `role/${resourceName(airlock, '')}*`)}]`,
      reason: 'A boundary is a ceiling, not a grant: each role passes or edits only the roles its own policy names.',
    });
    for (const action of [...BOUNDARY_SERVICES.map((service) => `${service}:*`), 'iam:Get*', 'iam:List*'])
      Validations.of(this.boundary).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
        reason:
          'A boundary is a ceiling over the services Airlock uses, not a grant: each role has its own least-privilege policies.',
      });
    for (const policy of [this.cfnExecutionPolicy, broadeningExecutionPolicy]) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${ownRoles}]`,
        reason:
          'Roles of this app are named `<prefix>-<env>-…`; the deploy-access roles among them are denied by name.',
      });
      if (props.services.includes('events'))
        Validations.of(policy).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn('events', `rule/${resourceName(airlock, '')}*`, airlock.region)}]`,
          reason: 'EventBridge rules of this app are named `<prefix>-<env>-…`; nothing else may be created or edited.',
        });
      for (const action of cloudFormationActions(props.services).filter((a) => a.endsWith('*')))
        Validations.of(policy).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
          reason: 'Read-only (or bucket-configuration) actions CloudFormation calls while it manages these resources.',
        });
    }
    for (const resource of [stackArn, toolkitStackArn])
      Validations.of(this.broadeningDeployRole).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`,
        reason: 'The stack ID suffix is assigned by CloudFormation; the name is the stack’s.',
      });
  }
}
