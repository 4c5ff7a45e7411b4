/**
 * For tests only: the exact trust policies the example environment's roles must have, written out literally so
 * that tests compare against them instead of recomputing them with the code under test.
 */

/** The sandbox launcher's and the data invoker's trust: the orchestrator execution role, with the ExternalId. */
export const EXAMPLE_TARGET_ROLE_TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/airlock-example-orchestrator' },
        StringEquals: {
          'sts:ExternalId': 'arn:aws:states:eu-west-1:111111111111:stateMachine:airlock-example-analysis',
        },
      },
    },
  ],
} as const;

/** The orchestrator execution role's trust: Step Functions, for the analysis state machine of its own account. */
export const EXAMPLE_ORCHESTRATOR_ROLE_TRUST = {
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
} as const;
