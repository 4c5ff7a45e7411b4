import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { AccountRole, AirlockEnvironment } from '../config/environment-schema.js';
import { cfnExecutionPolicyName, deployAccessStackName, deployRoleName, resourceName } from '@airlock/contracts';

export interface DeployAccessStackProps {
  readonly airlock: AirlockEnvironment & { readonly github: NonNullable<AirlockEnvironment['github']> };
  readonly account: AccountRole;
  /** Services the account's own stack manages: the CloudFormation execution policy allows these and no others. */
  readonly services: readonly string[];
}

export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The CDK bootstrap's default qualifier: its roles are what a pipeline may assume, nothing else. */
const CDK_QUALIFIER = 'hnb659fds';
const CDK_BOOTSTRAP_ROLES = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;

/**
 * Deployed once per account and environment by an administrator, before the first pipeline run: the GitHub OIDC
 * provider; the deploy role, trusted only by this repository's workflows running in this GitHub environment, and
 * allowed only to assume this account's CDK bootstrap roles; and the least-privilege policy CloudFormation deploys
 * with (given to `cdk bootstrap --cloudformation-execution-policies`, instead of AdministratorAccess).
 */
export class DeployAccessStack extends Stack {
  readonly deployRole: iam.Role;
  readonly cfnExecutionPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, props: DeployAccessStackProps) {
    const { airlock, account } = props;
    const accountId = airlock.accounts[account];
    super(scope, deployAccessStackName(airlock, account), {
      stackName: deployAccessStackName(airlock, account),
      env: { account: accountId, region: airlock.region },
      description: `GitHub OIDC deploy access for the Airlock ${account} account (${airlock.environment})`,
    });

    const provider = new iam.OidcProviderNative(this, 'GitHubOidc', {
      url: GITHUB_OIDC_URL,
      clientIds: ['sts.amazonaws.com'],
    });
    this.deployRole = new iam.Role(this, 'DeployRole', {
      roleName: deployRoleName(airlock, account),
      description: `Assumed by ${airlock.github.repository} workflows in the "${airlock.environment}" GitHub environment to deploy the ${account} app`,
      assumedBy: new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: `repo:${airlock.github.repository}:environment:${airlock.environment}`,
        },
      }),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        'assume-cdk-bootstrap-roles': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['sts:AssumeRole'],
              resources: CDK_BOOTSTRAP_ROLES.map(
                (role) =>
                  `arn:${airlock.partition}:iam::${accountId}:role/cdk-${CDK_QUALIFIER}-${role}-role-${accountId}-${airlock.region}`,
              ),
            }),
          ],
        }),
      },
    });

    const ownRoles = `arn:${airlock.partition}:iam::${accountId}:role/${resourceName(airlock, '')}*`;
    this.cfnExecutionPolicy = new iam.ManagedPolicy(this, 'CfnExecutionPolicy', {
      managedPolicyName: cfnExecutionPolicyName(airlock, account),
      description: `What CloudFormation may do when deploying the Airlock ${account} app`,
      statements: [
        new iam.PolicyStatement({
          sid: 'ManageTheAppsServices',
          actions: props.services.map((service) => `${service}:*`),
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ManageOnlyTheAppsOwnRoles',
          actions: [
            'iam:CreateRole',
            'iam:DeleteRole',
            'iam:GetRole',
            'iam:UpdateRole',
            'iam:UpdateAssumeRolePolicy',
            'iam:TagRole',
            'iam:UntagRole',
            'iam:PutRolePolicy',
            'iam:DeleteRolePolicy',
            'iam:GetRolePolicy',
            'iam:AttachRolePolicy',
            'iam:DetachRolePolicy',
            'iam:PassRole',
          ],
          resources: [ownRoles],
        }),
        new iam.PolicyStatement({
          sid: 'ReadCdkBootstrapVersion',
          actions: ['ssm:GetParameter', 'ssm:GetParameters'],
          resources: [
            `arn:${airlock.partition}:ssm:${airlock.region}:${accountId}:parameter/cdk-bootstrap/${CDK_QUALIFIER}/version`,
          ],
        }),
      ],
    });

    Validations.of(this.cfnExecutionPolicy).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudFormation must create resources whose names and IDs it generates; it is limited to the services this app uses, and IAM to roles named after this environment.',
    });
    for (const service of props.services) {
      Validations.of(this.cfnExecutionPolicy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Action::${service}:*]`,
        reason: `CloudFormation creates, updates and deletes the app's ${service} resources.`,
      });
    }
    Validations.of(this.cfnExecutionPolicy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${ownRoles}]`,
      reason: 'Roles of this app are named `<prefix>-<env>-…` by CDK (stack name first); no other role matches.',
    });
  }
}
