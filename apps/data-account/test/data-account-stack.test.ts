import { loadEnvironment, synthAccountStackForTest } from '@airlock/shared';
import { describe, expect, it } from 'vitest';
import { DataAccountStack } from '../src/data-account-stack.js';

const airlock = loadEnvironment('example');
const { stack, template } = synthAccountStackForTest((app) => new DataAccountStack(app, { airlock }));

describe('DataAccountStack', () => {
  it('is pinned to the data account and region', () => {
    expect(stack.account).toBe('333333333333');
    expect(stack.region).toBe('eu-west-1');
    expect(stack.stackName).toBe('airlock-example-data');
  });

  it('lets only the orchestrator execution role assume the invoker role, with the analysis state machine as ExternalId', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'airlock-example-data-invoker',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111111111111:root' },
            Condition: {
              ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/airlock-example-orchestrator' },
              StringEquals: { 'sts:ExternalId': 'arn:aws:states:eu-west-1:111111111111:stateMachine:airlock-example-analysis' },
            },
          },
        ],
      },
    });
  });
});
