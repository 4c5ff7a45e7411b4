import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../src/policy-types.js';
import { simulateRequest, type SimulationRequest } from '../src/simulate.js';

const ORCHESTRATOR = 'arn:aws:iam::111111111111:role/airlock-example-orchestrator';
const TARGET = 'arn:aws:iam::222222222222:role/airlock-example-sandbox-launcher';

/** A target role's trust in the design's shape: the account root, narrowed to one role by aws:PrincipalArn. */
const trust: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Action: 'sts:AssumeRole',
      Condition: { ArnEquals: { 'aws:PrincipalArn': ORCHESTRATOR } },
    },
  ],
};
const allowAssume: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
};
const assume = (request: Partial<SimulationRequest>): SimulationRequest => ({
  principal: ORCHESTRATOR,
  identityPolicies: [allowAssume],
  action: 'sts:AssumeRole',
  resource: TARGET,
  resourceAccount: '222222222222',
  resourcePolicy: trust,
  ...request,
});

describe('simulateRequest', () => {
  it('allows the role the trust names, because it supplies aws:PrincipalArn from the caller', async () => {
    expect(await simulateRequest(assume({}))).toEqual({ kind: 'decided', allowed: true });
  });

  it("supplies a session's role, not the session, as aws:PrincipalArn", async () => {
    const session = 'arn:aws:sts::111111111111:assumed-role/airlock-example-orchestrator/states-session';
    expect(await simulateRequest(assume({ principal: session, principalRoleArn: ORCHESTRATOR }))).toEqual({
      kind: 'decided',
      allowed: true,
    });
  });

  it('denies another role of the same account', async () => {
    const other = 'arn:aws:iam::111111111111:role/another';
    expect(await simulateRequest(assume({ principal: other }))).toEqual({ kind: 'decided', allowed: false });
  });

  it('denies another role that forges aws:PrincipalArn and aws:PrincipalAccount in the request context', async () => {
    const other = 'arn:aws:iam::111111111111:role/another';
    const forged = { 'aws:PrincipalArn': ORCHESTRATOR, 'aws:PrincipalAccount': '111111111111' };
    expect(await simulateRequest(assume({ principal: other, context: forged }))).toEqual({
      kind: 'decided',
      allowed: false,
    });
  });

  it("supplies aws:PrincipalAccount from the caller's role", async () => {
    const sameAccountOnly: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalAccount': '111111111111' } },
        },
      ],
    };
    const read = { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key', resourceAccount: '111111111111' };
    const request = { ...read, identityPolicies: [sameAccountOnly] };
    expect(await simulateRequest(assume({ ...request, resourcePolicy: undefined }))).toEqual({
      kind: 'decided',
      allowed: true,
    });
  });

  it('reports a request the simulator cannot evaluate as an error, not as a denial', async () => {
    const result = await simulateRequest(assume({ action: 'not-an-action' }));
    expect(result).toMatchObject({ kind: 'error', errors: expect.any(String) });
  });
});

describe('simulateRequest with the organization', () => {
  const BUCKET = 'arn:aws:s3:::bucket';
  const allowEverything: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  };
  const denyInternetGateways: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: 'ec2:CreateInternetGateway', Resource: '*' }],
  };
  const orgOnly: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: `${BUCKET}/*`,
        Condition: {
          StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-exampleorgid' },
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
        },
      },
    ],
  };
  const organization = {
    id: 'o-exampleorgid',
    memberAccounts: ['111111111111', '333333333333'],
    serviceControlPolicies: { '111111111111': [denyInternetGateways] },
    resourceControlPolicies: { '333333333333': [orgOnly] },
  };
  const grantAnyone: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${BUCKET}/*` }],
  };
  const read = (principal: string, context = {}): SimulationRequest => ({
    principal,
    identityPolicies: [allowEverything],
    action: 's3:GetObject',
    resource: `${BUCKET}/key`,
    resourceAccount: '333333333333',
    resourcePolicy: grantAnyone,
    context,
    organization,
  });
  /** A role creating an internet gateway in its own account. */
  const gateway = (principal: string): SimulationRequest => ({
    principal,
    identityPolicies: [allowEverything],
    action: 'ec2:CreateInternetGateway',
    resource: '*',
    resourceAccount: principal.split(':')[4]!,
    organization,
  });

  it("applies the caller's account's SCPs to its roles, and none to a caller outside the organization", async () => {
    expect(await simulateRequest(gateway('arn:aws:iam::111111111111:role/admin'))).toEqual({
      kind: 'decided',
      allowed: false,
    });
    expect(await simulateRequest(gateway('arn:aws:iam::999999999999:role/admin'))).toEqual({
      kind: 'decided',
      allowed: true,
    });
  });

  it("applies the resource's account's RCPs, with aws:PrincipalOrgID supplied for the organization's callers", async () => {
    expect(await simulateRequest(read('arn:aws:iam::111111111111:role/reader'))).toEqual({
      kind: 'decided',
      allowed: true,
    });
    expect(await simulateRequest(read('arn:aws:iam::999999999999:role/reader'))).toEqual({
      kind: 'decided',
      allowed: false,
    });
  });

  it('denies a caller outside the organization that forges aws:PrincipalOrgID or aws:PrincipalIsAWSService', async () => {
    const forged = { 'aws:PrincipalOrgID': 'o-exampleorgid', 'aws:PrincipalIsAWSService': 'true' };
    expect(await simulateRequest(read('arn:aws:iam::999999999999:role/reader', forged))).toEqual({
      kind: 'decided',
      allowed: false,
    });
  });

  it('treats a service principal as an AWS service acting as itself (no organization, not locked out)', async () => {
    expect(await simulateRequest({ ...read('cloudtrail.amazonaws.com'), identityPolicies: [] })).toEqual({
      kind: 'decided',
      allowed: true,
    });
  });
});

describe('endpoint policies that name principals', () => {
  const pull = (principal: string): SimulationRequest => ({
    principal,
    identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
    action: 'ecr:BatchGetImage',
    resource: 'arn:aws:ecr:eu-west-1:222222222222:repository/runner',
    resourceAccount: '222222222222',
    endpointPolicies: [
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::222222222222:role/execution' },
            Action: 'ecr:BatchGetImage',
            Resource: 'arn:aws:ecr:eu-west-1:222222222222:repository/runner',
          },
        ],
      },
    ],
  });

  it('let the named role through and refuse any other principal (the simulator itself takes only "*")', async () => {
    expect(await simulateRequest(pull('arn:aws:iam::222222222222:role/execution'))).toEqual({
      kind: 'decided',
      allowed: true,
    });
    expect(await simulateRequest(pull('arn:aws:iam::222222222222:role/other'))).toEqual({
      kind: 'decided',
      allowed: false,
    });
  });
});
