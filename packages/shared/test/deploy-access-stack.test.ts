import { describe, expect, it } from 'vitest';
import { DeployAccessStack, synthAccountStackForTest } from '../src/index.js';
import { exampleEnv } from './example-environment.js';

const airlock = { ...exampleEnv, github: { repository: 'example-org/airlock' } };
const { stack, template } = synthAccountStackForTest(
  (app) => new DeployAccessStack(app, { airlock, account: 'sandbox', services: ['ec2', 'ecs'] }),
);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const ofType = (type: string) =>
  Object.values(resources)
    .filter((r) => r.Type === type)
    .map((r) => r.Properties);

describe('DeployAccessStack', () => {
  it('is a separate stack in the account it grants deploy access to', () => {
    expect([stack.stackName, stack.account, stack.region]).toEqual([
      'airlock-example-sandbox-deploy-access',
      '222222222222',
      'eu-west-1',
    ]);
  });

  it("trusts only this repository's workflows in this GitHub environment, through GitHub's OIDC provider", () => {
    expect(ofType('AWS::IAM::OIDCProvider')).toEqual([
      expect.objectContaining({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIdList: ['sts.amazonaws.com'],
      }),
    ]);
    const [role] = ofType('AWS::IAM::Role');
    expect(role).toMatchObject({
      RoleName: 'airlock-example-sandbox-deploy',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRoleWithWebIdentity',
            Effect: 'Allow',
            Principal: { Federated: expect.anything() },
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': 'repo:example-org/airlock:environment:example',
              },
            },
          },
        ],
      },
    });
    expect(JSON.stringify(role!.AssumeRolePolicyDocument)).not.toMatch(/StringLike|\*/);
  });

  it("may assume only the account's CDK bootstrap roles", () => {
    const [role] = ofType('AWS::IAM::Role');
    expect(role!.Policies).toEqual([
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

  it("gives CloudFormation the app's services and only the roles of this environment, not AdministratorAccess", () => {
    const [policy] = ofType('AWS::IAM::ManagedPolicy');
    const statements = (policy!.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    expect(policy!.ManagedPolicyName).toBe('airlock-example-sandbox-cfn-exec');
    expect(statements[0]).toMatchObject({ Sid: 'ManageTheAppsServices', Action: ['ec2:*', 'ecs:*'], Resource: '*' });
    expect(statements[1]).toMatchObject({
      Sid: 'ManageOnlyTheAppsOwnRoles',
      Resource: 'arn:aws:iam::222222222222:role/airlock-example-*',
    });
    expect(JSON.stringify(statements)).not.toMatch(/"iam:\*"|"\*:\*"|AdministratorAccess/);
  });
});
