import type { Statement } from '@airlock/cloud-assembly';
import { describe, expect, it } from 'vitest';
import { sandboxVpcEndpoints } from '../../src/rules/sandbox-vpc-endpoints.js';
import { networkResource, sandboxNetworkResources, surfaceOf, taskDefinition } from './surface.js';

const EXECUTION_ROLE = 'arn:aws:iam::222222222222:role/airlock-example-sandbox-RunnerExecutionRole';
const runObjects: Statement = {
  Effect: 'Allow',
  Principal: { AWS: '*' },
  Action: ['s3:GetObject', 's3:PutObject'],
  Resource: 'arn:aws:s3:::airlock-example-data-333333333333-eu-west-1/runs/*',
  Condition: { StringEquals: { 'aws:ResourceAccount': '333333333333' } },
};
const layers: Statement = {
  Effect: 'Allow',
  Principal: { AWS: '*' },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*',
};
const runnerLogs: Statement = {
  Effect: 'Allow',
  Principal: { AWS: EXECUTION_ROLE },
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: 'arn:aws:logs:eu-west-1:222222222222:log-group:runner:*',
};
const s3 = (...Statement: Statement[]) =>
  networkResource('AWS::EC2::VPCEndpoint', 'S3', {
    ServiceName: 'com.amazonaws.eu-west-1.s3',
    VpcEndpointType: 'Gateway',
    PolicyDocument: { Statement },
  });
const logs = (properties: Record<string, unknown> = {}, ...Statement: Statement[]) =>
  networkResource('AWS::EC2::VPCEndpoint', 'Logs', {
    ServiceName: 'com.amazonaws.eu-west-1.logs',
    VpcEndpointType: 'Interface',
    PrivateDnsEnabled: true,
    SubnetIds: ['airlock-example-sandbox-Subnet1'],
    PolicyDocument: { Statement: Statement.length > 0 ? Statement : [runnerLogs] },
    ...properties,
  });
const messagesOf = (...endpoints: ReturnType<typeof s3>[]) =>
  sandboxVpcEndpoints
    .check(
      surfaceOf({
        networkResources: [...sandboxNetworkResources(), ...endpoints],
        taskDefinitions: [{ ...taskDefinition('airlock-example-runner'), executionRoleArn: EXECUTION_ROLE }],
      }),
    )
    .map((v) => (v.compliance === 'non-compliant' ? `${v.subject}: ${v.message}` : v.compliance));

describe('sandbox-vpc-endpoints', () => {
  it("is compliant for the S3 gateway on the data bucket's run objects and ECR layers, and Logs for the execution role", () => {
    expect(messagesOf(s3(runObjects, layers), logs())).toEqual(['compliant', 'compliant']);
  });

  it('fails an S3 endpoint policy wider than the run objects in the data account', () => {
    expect(
      messagesOf(
        s3(
          { ...runObjects, Condition: { StringEquals: { 'aws:ResourceAccount': '999999999999' } } },
          { ...layers, Action: 's3:*', Resource: '*' },
        ),
      ),
    ).toEqual([
      expect.stringMatching(
        /^VPC endpoint S3 \(com\.amazonaws\.eu-west-1\.s3\): admits s3:GetObject, s3:PutObject on .*\/runs\/\* when \{"StringEquals":\{"aws:ResourceAccount":"999999999999"\}\}, beyond/,
      ),
      expect.stringMatching(/^VPC endpoint S3 \(com\.amazonaws\.eu-west-1\.s3\): admits s3:\* on \*, beyond/),
    ]);
  });

  it('fails an endpoint without a policy, an unexpected service, private DNS off and a non-isolated subnet', () => {
    const sts = networkResource('AWS::EC2::VPCEndpoint', 'Sts', {
      ServiceName: 'com.amazonaws.eu-west-1.sts',
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      SubnetIds: ['airlock-example-sandbox-Subnet1'],
    });
    expect(messagesOf(logs({ PrivateDnsEnabled: false, SubnetIds: ['subnet-public'] }), sts)).toEqual([
      'VPC endpoint Logs (com.amazonaws.eu-west-1.logs): has private DNS off (intended: on)',
      'VPC endpoint Logs (com.amazonaws.eu-west-1.logs): is placed in subnet subnet-public, which is not an isolated subnet of the sandbox VPC',
      expect.stringMatching(
        /^VPC endpoint Sts \(com\.amazonaws\.eu-west-1\.sts\): reaches com\.amazonaws\.eu-west-1\.sts, which the runner does not use/,
      ),
      'VPC endpoint Sts (com.amazonaws.eu-west-1.sts): has no policy: the default admits every principal and action',
    ]);
  });

  it("fails an interface endpoint policy for another principal, another action or '*' resources", () => {
    expect(messagesOf(logs({}, { ...runnerLogs, Principal: { AWS: '*' }, Action: ['logs:*'], Resource: '*' }))).toEqual(
      [
        "VPC endpoint Logs (com.amazonaws.eu-west-1.logs): admits *, not only the runner's execution role (arn:aws:iam::222222222222:role/airlock-example-sandbox-RunnerExecutionRole)",
        'VPC endpoint Logs (com.amazonaws.eu-west-1.logs): admits logs:*, beyond logs:CreateLogStream, logs:PutLogEvents',
        'VPC endpoint Logs (com.amazonaws.eu-west-1.logs): admits logs:* on *: only ecr:GetAuthorizationToken may use a wildcard resource',
      ],
    );
  });
});
