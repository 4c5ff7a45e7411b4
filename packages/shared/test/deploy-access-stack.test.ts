import { describe, expect, it } from 'vitest';
import { cloudFormationActions, DeployAccessStack, synthAccountStackForTest } from '../src/index.js';
import { exampleEnv } from './example-environment.js';

const airlock = { ...exampleEnv, github: { repository: 'example-org/airlock' } };
const { stack, template } = synthAccountStackForTest(
  (app) => new DeployAccessStack(app, { airlock, account: 'sandbox', services: ['ec2', 'ecs'] }),
);
type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => ({ id, ...r.Properties }) as Record<string, unknown> & { id: string });
const role = (name: string) => ofType('AWS::IAM::Role').find((r) => r.RoleName === name)!;
const policy = (name: string) => ofType('AWS::IAM::ManagedPolicy').find((p) => p.ManagedPolicyName === name)!;
const statements = (name: string) => (policy(name).PolicyDocument as { Statement: Statement[] }).Statement;
const bySid = (name: string, sid: string) => statements(name).find((s) => s.Sid === sid)!;
const asList = (a: string | string[]) => (Array.isArray(a) ? a : [a]);
const BOUNDARY = 'arn:aws:iam::222222222222:policy/airlock-example-sandbox-boundary';
const oidcTrust = (subject: string) => ({
  Statement: [
    {
      Action: 'sts:AssumeRoleWithWebIdentity',
      Effect: 'Allow',
      Principal: { Federated: expect.anything() },
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': subject,
        },
      },
    },
  ],
});

describe('DeployAccessStack', () => {
  it('is a separate stack in the account it grants deploy access to', () => {
    expect([stack.stackName, stack.account, stack.region]).toEqual([
      'airlock-example-sandbox-deploy-access',
      '222222222222',
      'eu-west-1',
    ]);
  });

  it("trusts only this repository's workflows in this account's own GitHub environment, through GitHub's OIDC provider", () => {
    expect(ofType('AWS::IAM::OIDCProvider')).toEqual([
      expect.objectContaining({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIdList: ['sts.amazonaws.com'],
      }),
    ]);
    const deploy = role('airlock-example-sandbox-deploy');
    expect(deploy).toMatchObject({
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: oidcTrust('repo:example-org/airlock:environment:example-sandbox'),
    });
    expect(JSON.stringify(deploy.AssumeRolePolicyDocument)).not.toMatch(/StringLike|\*/);
  });

  it('gives each account a different subject: the same stack for another account trusts only that account', () => {
    const data = synthAccountStackForTest(
      (app) => new DeployAccessStack(app, { airlock, account: 'data', services: ['s3'] }),
    ).template.toJSON().Resources as Record<string, Resource>;
    const subjects = Object.values(data)
      .filter((r) => r.Type === 'AWS::IAM::Role' && r.Properties.AssumeRolePolicyDocument)
      .map((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).match(/environment:([\w-]+)/)?.[1])
      .filter(Boolean);
    expect(subjects.sort()).toEqual(['example-data', 'example-data-broadening', 'example-data-drift']);
  });

  it("lets the everyday deploy role assume only the account's CDK bootstrap roles", () => {
    expect(role('airlock-example-sandbox-deploy').Policies).toEqual([
      {
        PolicyName: 'assume-cdk-bootstrap-roles',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Resource: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
                (r) => `arn:aws:iam::222222222222:role/cdk-hnb659fds-${r}-role-222222222222-eu-west-1`,
              ),
            },
          ],
        },
      },
    ]);
  });

  it('denies the CDK lookup role (ReadOnlyAccess, which the deploy roles may assume) every read of run data', () => {
    const lookupRole = 'cdk-hnb659fds-lookup-role-222222222222-eu-west-1';
    const onLookup = ofType('AWS::IAM::Policy').filter((p) =>
      (p.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify(lookupRole)),
    );
    expect(onLookup).toHaveLength(1);
    expect((onLookup[0]!.PolicyDocument as { Statement: Statement[] }).Statement).toEqual([
      expect.objectContaining({
        Sid: 'NeverReadRunData',
        Effect: 'Deny',
        Resource: '*',
        Action: expect.arrayContaining([
          'ecs:DescribeTasks',
          'cloudtrail:LookupEvents',
          'cloudtrail:GetQueryResults',
          'dynamodb:Scan',
          'states:GetExecutionHistory',
          'logs:GetQueryResults',
          'logs:StartLiveTail',
        ]),
      }),
    ]);
  });

  it('puts the boundary on every role it creates, and the boundary is the named policy', () => {
    const boundary = ofType('AWS::IAM::ManagedPolicy').find(
      (p) => p.ManagedPolicyName === 'airlock-example-sandbox-boundary',
    )!;
    const roles = ofType('AWS::IAM::Role');
    expect(roles).toHaveLength(4);
    for (const r of roles) expect(r.PermissionsBoundary).toEqual({ Ref: boundary.id });
  });

  it.each([
    'airlock-example-sandbox-boundary',
    'airlock-example-sandbox-cfn-exec',
    'airlock-example-sandbox-cfn-broadening',
  ])(
    '%s denies roles without the boundary, removing it, editing the deploy access, and trust changes outside the broadening path',
    (name) => {
      expect(bySid(name, 'DenyRolesWithoutTheBoundary')).toMatchObject({
        Effect: 'Deny',
        Action: expect.arrayContaining(['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']),
        Resource: '*',
        Condition: { StringNotEquals: { 'iam:PermissionsBoundary': BOUNDARY } },
      });
      expect(bySid(name, 'DenyRemovingTheBoundary')).toMatchObject({
        Effect: 'Deny',
        Action: 'iam:DeleteRolePermissionsBoundary',
      });
      const editing = bySid(name, 'DenyEditingTheDeployAccess');
      expect(editing.Effect).toBe('Deny');
      expect(editing.Action).toEqual(
        expect.arrayContaining(['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:CreatePolicyVersion']),
      );
      expect(editing.Resource).toEqual([
        BOUNDARY,
        'arn:aws:iam::222222222222:policy/airlock-example-sandbox-cfn-exec',
        'arn:aws:iam::222222222222:policy/airlock-example-sandbox-cfn-broadening',
        'arn:aws:iam::222222222222:policy/airlock-example-kill-switch',
        'arn:aws:iam::222222222222:role/airlock-example-sandbox-deploy',
        'arn:aws:iam::222222222222:role/airlock-example-sandbox-deploy-broadening',
        'arn:aws:iam::222222222222:role/airlock-example-sandbox-cfn-broadening',
        'arn:aws:iam::222222222222:role/airlock-example-sandbox-drift',
      ]);
      expect(editing.Action).toEqual(expect.arrayContaining(['iam:CreatePolicy', 'iam:SetDefaultPolicyVersion']));
      expect(bySid(name, 'DenyAttachingManagedPolicies')).toEqual({
        Sid: 'DenyAttachingManagedPolicies',
        Effect: 'Deny',
        Action: 'iam:AttachRolePolicy',
        Resource: '*',
      });
      expect(bySid(name, 'DenyDetachingTheKillSwitch')).toMatchObject({
        Effect: 'Deny',
        Action: 'iam:DetachRolePolicy',
        Resource: '*',
        Condition: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::222222222222:policy/airlock-example-kill-switch' } },
      });
      expect(bySid(name, 'DenyPassingTheDeployAccessRoles')).toMatchObject({
        Effect: 'Deny',
        Action: 'iam:PassRole',
        Resource: ['deploy', 'deploy-broadening', 'drift'].map(
          (r) => `arn:aws:iam::222222222222:role/airlock-example-sandbox-${r}`,
        ),
      });
      expect(bySid(name, 'DenyPassingTheBroadeningExecutionRole')).toMatchObject({
        Effect: 'Deny',
        Action: 'iam:PassRole',
        Resource: 'arn:aws:iam::222222222222:role/airlock-example-sandbox-cfn-broadening',
        Condition: {
          ArnNotEquals: {
            'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/airlock-example-sandbox-deploy-broadening',
          },
        },
      });
      expect(bySid(name, 'DenyTrustChangesOutsideTheBroadeningPath')).toMatchObject({
        Effect: 'Deny',
        Action: 'iam:UpdateAssumeRolePolicy',
        Resource: '*',
        Condition: {
          ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/airlock-example-sandbox-cfn-broadening' },
        },
      });
    },
  );

  it("the boundary allows sts:AssumeRole on exact ARNs only, and iam:PassRole on this environment's roles only", () => {
    expect(bySid('airlock-example-sandbox-boundary', 'AssumeOnlyTheseRoles').Resource).toEqual(
      ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
        (r) => `arn:aws:iam::222222222222:role/cdk-hnb659fds-${r}-role-222222222222-eu-west-1`,
      ),
    );
    expect(bySid('airlock-example-sandbox-boundary', 'PassOnlyTheAccountsOwnRoles').Resource).toBe(
      'arn:aws:iam::222222222222:role/airlock-example-*',
    );
    const ceiling = bySid('airlock-example-sandbox-boundary', 'CeilingOnlyTheRolesOwnPoliciesGrant');
    expect(asList(ceiling.Action).filter((a) => /^(iam|sts):|^\*$/.test(a))).toEqual(['iam:Get*', 'iam:List*']);
  });

  it('lets CloudFormation create and edit roles of this environment only with the boundary', () => {
    for (const [name, prefix] of [
      ['airlock-example-sandbox-cfn-exec', ''],
      ['airlock-example-sandbox-cfn-broadening', 'Broadening'],
    ] as const) {
      const own = bySid(name, `${prefix}ManageOnlyTheAppsOwnRolesWithTheBoundary`);
      expect(own).toMatchObject({
        Effect: 'Allow',
        Resource: 'arn:aws:iam::222222222222:role/airlock-example-*',
        Condition: { StringEquals: { 'iam:PermissionsBoundary': BOUNDARY } },
      });
      const unconditioned = statements(name).filter((s) => s.Effect === 'Allow' && !s.Condition);
      for (const s of unconditioned) expect(asList(s.Action)).not.toEqual(expect.arrayContaining(['iam:CreateRole']));
    }
  });

  it('everyday path: CloudFormation may not change trust, endpoint policies, security groups, routes, the DNS firewall or resource policies', () => {
    const deny = bySid('airlock-example-sandbox-cfn-exec', 'DenyBroadeningTrustNetworkAndResourcePolicies');
    expect(deny).toMatchObject({ Effect: 'Deny', Resource: '*' });
    expect(deny.Action).toEqual(
      expect.arrayContaining([
        'iam:CreateRole',
        'iam:UpdateAssumeRolePolicy',
        'ec2:ModifyVpcEndpoint',
        'ec2:CreateSecurityGroup',
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:CreateRoute',
        'ec2:ReplaceRoute',
        'route53resolver:UpdateFirewallRule',
        'route53resolver:AssociateFirewallRuleGroup',
        'route53resolver:DisassociateFirewallRuleGroup',
        's3:PutBucketPolicy',
        's3:DeleteBucketPolicy',
        's3:PutBucketAcl',
        'kms:PutKeyPolicy',
        'ecr:SetRepositoryPolicy',
      ]),
    );
    expect(bySid('airlock-example-sandbox-cfn-exec', 'DenyKeyGrantsNotForAnAwsResource')).toMatchObject({
      Effect: 'Deny',
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false' } },
    });
    const broadeningSids = statements('airlock-example-sandbox-cfn-broadening').map((s) => s.Sid);
    expect(broadeningSids).not.toContain('DenyBroadeningTrustNetworkAndResourcePolicies');
    expect(broadeningSids).not.toContain('DenyKeyGrantsNotForAnAwsResource');
  });

  it('no condition of the deploy access depends on a tag, so tagging a role or a session changes nothing', () => {
    const conditionKeys = JSON.stringify(template.toJSON()).match(
      /"(aws|iam):(Resource|Request|Principal)Tag[^"]*"|"aws:TagKeys"/g,
    );
    expect(conditionKeys).toBeNull();
  });

  it('the broadening execution role is trusted by CloudFormation only, and passed only by the broadening deploy role', () => {
    expect(role('airlock-example-sandbox-cfn-broadening').AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'cloudformation.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' } },
        },
      ],
    });
    const broadening = role('airlock-example-sandbox-deploy-broadening');
    expect(broadening.AssumeRolePolicyDocument).toMatchObject(
      oidcTrust('repo:example-org/airlock:environment:example-sandbox-broadening'),
    );
    const document = JSON.stringify(broadening.Policies);
    expect(document).toContain('"iam:PassedToService":"cloudformation.amazonaws.com"');
    expect(document).not.toContain('cdk-hnb659fds-deploy-role');
    expect(JSON.stringify(role('airlock-example-sandbox-deploy').Policies)).not.toContain('iam:PassRole');
  });

  it('the drift role is trusted only for the drift environment, reads configuration, detects drift of the account stack, never decrypts or reads run data', () => {
    const drift = role('airlock-example-sandbox-drift');
    expect(drift.AssumeRolePolicyDocument).toMatchObject(
      oidcTrust('repo:example-org/airlock:environment:example-sandbox-drift'),
    );
    const statements = (drift.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>)[0]!.PolicyDocument
      .Statement;
    expect(statements).toEqual([
      expect.objectContaining({
        Action: ['cloudformation:DetectStackDrift', 'cloudformation:DetectStackResourceDrift'],
        Effect: 'Allow',
        Resource: 'arn:aws:cloudformation:eu-west-1:222222222222:stack/airlock-example-sandbox/*',
      }),
      expect.objectContaining({ Action: 'kms:Decrypt', Effect: 'Deny', Resource: '*' }),
      // ReadOnlyAccess reads the records, a live task's URLs (DescribeTasks, CloudTrail), histories, logs, objects.
      expect.objectContaining({
        Sid: 'NeverReadRunData',
        Effect: 'Deny',
        Resource: '*',
        Action: expect.arrayContaining([
          's3:GetObject*',
          'dynamodb:Scan',
          'dynamodb:Query',
          'dynamodb:GetItem',
          'ecs:DescribeTasks',
          'cloudtrail:LookupEvents',
          'states:GetExecutionHistory',
          'logs:GetLogEvents',
          'logs:FilterLogEvents',
        ]),
      }),
    ]);
  });

  it("names CloudFormation's actions per service, never `<service>:*` and never IAM wildcards", () => {
    const allowed = bySid('airlock-example-sandbox-cfn-exec', 'ManageTheAppsServices');
    expect(allowed.Action).toEqual(cloudFormationActions(['ec2', 'ecs']));
    expect(JSON.stringify(statements('airlock-example-sandbox-cfn-exec'))).not.toMatch(
      /"(ec2|ecs|iam|\*):\*"|AdministratorAccess/,
    );
  });

  it('fails naming a service it has no action list for, and the fix', () => {
    expect(() => cloudFormationActions(['sqs'])).toThrow(
      /managedServices: no CloudFormation action list for "sqs". Fix:/,
    );
  });
});
