import {
  CloudFormationClient,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { detectDrift } from '../src/drift.js';

function cfn() {
  const client = new CloudFormationClient({ region: 'eu-west-1' });
  const mock = mockClient(client);
  mock.on(DetectStackDriftCommand, { StackName: 'airlock-dev-data' }).resolves({ StackDriftDetectionId: 'd-1' });
  return { client, mock };
}

describe('detectDrift', () => {
  it('waits for the detection and answers nothing when the stack is in sync', async () => {
    const { client, mock } = cfn();
    mock
      .on(DescribeStackDriftDetectionStatusCommand, { StackDriftDetectionId: 'd-1' })
      .resolvesOnce({ DetectionStatus: 'DETECTION_IN_PROGRESS' } as never)
      .resolves({ DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'IN_SYNC' } as never);
    expect(await detectDrift(client, 'airlock-dev-data', { pollMs: 0 })).toEqual([]);
    expect(mock.commandCalls(DescribeStackDriftDetectionStatusCommand)).toHaveLength(2);
  });

  it('names each drifted resource and property', async () => {
    const { client, mock } = cfn();
    mock
      .on(DescribeStackDriftDetectionStatusCommand)
      .resolves({ DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'DRIFTED' } as never);
    mock.on(DescribeStackResourceDriftsCommand).resolves({
      StackResourceDrifts: [
        {
          LogicalResourceId: 'InvokerRole4DB2757E',
          ResourceType: 'AWS::IAM::Role',
          StackResourceDriftStatus: 'MODIFIED',
          PropertyDifferences: [{ PropertyPath: '/AssumeRolePolicyDocument', DifferenceType: 'NOT_EQUAL' }],
        } as never,
      ],
    });
    expect(await detectDrift(client, 'airlock-dev-data', { pollMs: 0 })).toEqual([
      'InvokerRole4DB2757E (AWS::IAM::Role) MODIFIED: /AssumeRolePolicyDocument NOT_EQUAL',
    ]);
  });

  it('fails naming the reason when detection fails, and when it never finishes', async () => {
    const { client, mock } = cfn();
    mock
      .on(DescribeStackDriftDetectionStatusCommand)
      .resolvesOnce({ DetectionStatus: 'DETECTION_FAILED', DetectionStatusReason: 'AccessDenied on ec2' } as never)
      .resolves({ DetectionStatus: 'DETECTION_IN_PROGRESS' } as never);
    await expect(detectDrift(client, 'airlock-dev-data', { pollMs: 0 })).rejects.toThrow(
      /failed: AccessDenied on ec2. Fix:/,
    );
    await expect(detectDrift(client, 'airlock-dev-data', { pollMs: 0, maxPolls: 3 })).rejects.toThrow(
      /did not finish after 3 polls/,
    );
  });
});
