import { loadEnvironment, synthAccountStackForTest } from '@airlock/shared';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OrchestratorAccountStack } from '../src/orchestrator-account-stack.js';

const airlock = loadEnvironment('example');
const { stack, template } = synthAccountStackForTest((app) => new OrchestratorAccountStack(app, { airlock }));

describe('OrchestratorAccountStack', () => {
  it('is pinned to the orchestrator account and region', () => {
    expect(stack.account).toBe('111111111111');
    expect(stack.region).toBe('eu-west-1');
    expect(stack.stackName).toBe('airlock-example-orchestrator');
  });

  it('lets only Step Functions assume the execution role, for the analysis state machine of this account', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'airlock-example-orchestrator',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'states.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnEquals: { 'aws:SourceArn': 'arn:aws:states:eu-west-1:111111111111:stateMachine:airlock-example-analysis' },
            },
          },
        ],
      },
    });
  });

  it('may assume exactly the two target roles and nothing else', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Resource: [
          'arn:aws:iam::222222222222:role/airlock-example-sandbox-launcher',
          'arn:aws:iam::333333333333:role/airlock-example-data-invoker',
        ],
      },
    ]);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Policy', { Roles: [Match.anyValue()] });
  });
});
