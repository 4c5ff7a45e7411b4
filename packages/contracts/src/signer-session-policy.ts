import { runInputKey, runOutputKey } from './data-keys.js';
import { throughSandboxNetwork } from './run-network.js';

/**
 * The session policy of one run's signer session: whatever the signer role may do, this session (and so every
 * URL it signs) can read only this run's input and write only this run's output, and only through an endpoint of
 * the sandbox account. The KMS statement carries no network condition: S3 calls KMS on the caller's behalf, from
 * no endpoint of ours, and every request would fail.
 */
export function signerSessionPolicy(params: {
  bucketArn: string;
  keyArn: string;
  runId: string;
  sandboxAccount: string;
}): object {
  const { bucketArn, keyArn, runId, sandboxAccount } = params;
  const network = throughSandboxNetwork(sandboxAccount);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadThisRunsInput',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: `${bucketArn}/${runInputKey(runId)}`,
        Condition: network,
      },
      {
        Sid: 'WriteThisRunsOutput',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: `${bucketArn}/${runOutputKey(runId)}`,
        Condition: network,
      },
      { Sid: 'UseTheBucketKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn },
    ],
  };
}
