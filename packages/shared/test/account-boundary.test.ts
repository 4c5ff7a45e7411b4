import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { applyAccountBoundary } from '../src/index.js';
import { exampleEnv } from './example-environment.js';

describe('applyAccountBoundary', () => {
  it("puts the account's boundary on every role of every stack, low-level CfnRoles included", () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: { account: '333333333333', region: 'eu-west-1' } });
    new iam.Role(stack, 'A', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new iam.CfnRole(stack, 'B', { assumeRolePolicyDocument: {} });
    applyAccountBoundary(app, exampleEnv, 'data');
    const roles = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'));
    expect(roles.map((r) => (r.Properties as Record<string, unknown>).PermissionsBoundary)).toEqual([
      'arn:aws:iam::333333333333:policy/airlock-example-data-boundary',
      'arn:aws:iam::333333333333:policy/airlock-example-data-boundary',
    ]);
  });
});
