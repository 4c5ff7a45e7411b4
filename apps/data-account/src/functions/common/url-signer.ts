import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { runInputKey, runOutputKey, throughSandboxNetwork } from '@airlock/contracts';

/** Temporary credentials, in the shape SDK clients accept. */
export interface SignerCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

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

/**
 * Fresh credentials for signing one run's URLs. A presigned URL dies with the credentials that signed it, and the
 * Lambda's own session may have minutes left; this session lives at least as long as the URLs.
 */
export async function assumeSigner(
  sts: STSClient,
  params: {
    roleArn: string;
    bucketArn: string;
    keyArn: string;
    runId: string;
    sandboxAccount: string;
    lifetimeSeconds: number;
  },
): Promise<SignerCredentials> {
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: params.roleArn,
      RoleSessionName: `airlock-${params.runId}`.slice(0, 64),
      Policy: JSON.stringify(signerSessionPolicy(params)),
      // STS accepts 900 s at least; the URLs themselves carry the shorter expiry.
      DurationSeconds: Math.max(900, Math.ceil(params.lifetimeSeconds)),
    }),
  );
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
  return {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
    ...(Credentials.Expiration ? { expiration: Credentials.Expiration } : {}),
  };
}
