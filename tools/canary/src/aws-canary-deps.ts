import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  dataCanaryRoleArn,
  githubCanaryEnvironment,
  orchestratorCanaryRoleArn,
  resourceName,
  type ProbeConfig,
} from '@airlock/contracts';
import { CliError } from '@airlock/operator';
import type { AirlockEnvironment } from '@airlock/shared/environment';
import type { CanaryDeps } from './canary-deps.js';

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken: string };
const SESSION_NAME = 'airlock-canary';

/**
 * GitHub's OIDC token for audience sts.amazonaws.com, when the job has `id-token: write` (GitHub then sets the two
 * ACTIONS_ID_TOKEN_REQUEST_* variables); undefined elsewhere.
 */
async function githubOidcToken(): Promise<string | undefined> {
  const url = process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !bearer) return undefined;
  const response = await fetch(`${url}&audience=sts.amazonaws.com`, { headers: { authorization: `Bearer ${bearer}` } });
  if (!response.ok)
    throw new CliError(`GitHub refused an OIDC token (HTTP ${response.status}). Fix: give the job "id-token: write"`);
  return ((await response.json()) as { value: string }).value;
}

/**
 * One canary role's credentials: by web identity in CI, else assumed with the operator's own credentials. A refusal
 * exits with `refusedExit`: 3 ("not fully deployed", a warning in the pipeline) only for a role of an account the
 * calling workflow did not just deploy; the orchestrator's own canary role deploys with the workflow, so its refusal
 * is a failure, never a silent pass.
 */
async function assume(
  env: AirlockEnvironment,
  roleArn: string,
  token: string | undefined,
  refusedExit: 1 | 3,
): Promise<Credentials> {
  const sts = new STSClient({ region: env.region });
  try {
    const answer = token
      ? await sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: roleArn,
            RoleSessionName: SESSION_NAME,
            WebIdentityToken: token,
          }),
        )
      : await sts.send(
          new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME, DurationSeconds: 3600 }),
        );
    const c = answer.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('STS returned no credentials');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  } catch (error) {
    const { name, message } = error as Error;
    if (name === 'CredentialsProviderError')
      throw new CliError(
        `no AWS credentials to assume ${roleArn}. Fix: run in the "${githubCanaryEnvironment(env)}" GitHub environment with "id-token: write", or sign in (aws sso login) as a principal the canary role trusts`,
      );
    throw new CliError(
      `cannot assume the canary role ${roleArn} (${message}). Fix: the role trusts only the "${githubCanaryEnvironment(env)}" GitHub environment of ${env.github?.repository ?? '(github.repository unset)'}; run from there, and deploy the account's app with github.repository set if the role does not exist`,
      refusedExit,
    );
  }
}

/** Clients that act as the two canary roles of `env` on AWS itself. */
export async function awsCanaryDeps(env: AirlockEnvironment, out: (line: string) => void): Promise<CanaryDeps> {
  if (!env.github)
    throw new CliError(
      `environment "${env.environment}" has no "github" field, so it has no canary roles. Fix: add "github": { "repository": "owner/name" } to packages/shared/environments/${env.environment}.json and deploy`,
    );
  const token = await githubOidcToken();
  // One after the other: a failure then always names the same role first.
  const orchestrator = await assume(env, orchestratorCanaryRoleArn(env), token, 1);
  const data = await assume(env, dataCanaryRoleArn(env), token, 3);
  const as = (credentials: Credentials) => ({ region: env.region, credentials });
  const probe: ProbeConfig = {
    mode: 'aws',
    s3Endpoint: `https://s3.${env.region}.amazonaws.com`,
    // A name in no account of ours: only a refusal (the endpoint policy) may answer it.
    foreignBucket: resourceName(env, `canary-foreign-${env.accounts.orchestrator}`),
  };
  return {
    orchestrator: { sts: new STSClient(as(orchestrator)), sfn: new SFNClient(as(orchestrator)) },
    data: { sts: new STSClient(as(data)), s3: new S3Client(as(data)), dynamodb: new DynamoDBClient(as(data)) },
    probe,
    out,
    pollIntervalMs: 5_000,
    newId: () => crypto.randomUUID(),
  };
}
