import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { signerSessionPolicy } from '@airlock/contracts';

/** Temporary credentials, in the shape SDK clients accept. */
export interface SignerCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
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
