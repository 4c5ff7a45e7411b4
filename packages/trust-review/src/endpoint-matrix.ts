import {
  dataBucketArn,
  runInputKey,
  runnerTaskDefinitionFamily,
  runsTableArn,
  urlSignerRoleArn,
  VPCE_ACCOUNT_KEY,
} from '@airlock/contracts';
import type { AccountRole } from '@airlock/shared/environment';
import { ALLOW_EVERYTHING, type PolicyDocument, type TrustSurface } from '@airlock/cloud-assembly';
import { dataBucketPolicy, type SimulationRow, type Verdict } from './simulation-matrix.js';
import { withAndWithout, type DefendedCase } from './with-and-without.js';
import { FOREIGN_ACCOUNT } from './simulated-principals.js';

/** What an attacker's own bucket, role or key says to let a principal of ours in: everything. */
const attackerGrants = (principal: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: '*', Resource: '*' }],
});

interface EndpointCase extends Omit<DefendedCase, 'hop'> {
  /** The endpoint the request passes through, by the construct ID CDK folds into its logical ID. */
  readonly endpoint: { readonly account: AccountRole; readonly id: RegExp; readonly name: string };
  /**
   * The verdict without the endpoint, where the case proves that the endpoint's policy decides (the caller's own
   * policies would let the request through); without it, the row only proves the path works.
   */
  readonly withoutEndpoint?: Verdict;
}

/** The synthesized policy of one VPC endpoint; undefined when no endpoint of the account matches. */
const endpointPolicy = (surface: TrustSurface, account: AccountRole, id: RegExp): PolicyDocument | undefined =>
  surface.resourcePolicies.find((p) => p.isEndpointPolicy && p.account === account && id.test(p.logicalId))?.policy;

/**
 * The VPC endpoints' policies in the simulation, as AWS applies them to every request through the endpoint: a
 * principal allowed everything by its own account (an attacker's keys, a function given `s3:*` by mistake) is still
 * refused what the endpoint does not name, and the intended requests pass. Each refusal also shows that without the
 * endpoint the request would be allowed, so the endpoint is what stops it.
 */
export async function endpointMatrix(surface: TrustSurface): Promise<SimulationRow[]> {
  const rows: SimulationRow[] = [];
  for (const c of endpointCases(surface)) {
    const policy = endpointPolicy(surface, c.endpoint.account, c.endpoint.id);
    rows.push(
      await withAndWithout(
        { ...c, hop: `${c.endpoint.account} ${c.endpoint.name} endpoint` },
        {
          name: 'the endpoint',
          defend: (request) =>
            policy
              ? { ...request, endpointPolicies: [policy] }
              : { missing: `no ${c.endpoint.name} endpoint in the ${c.endpoint.account} template` },
          control: c.withoutEndpoint,
        },
      ),
    );
  }
  return rows;
}

export function endpointCases(surface: TrustSurface): EndpointCase[] {
  const { env } = surface;
  const account = (a: AccountRole) => env.accounts[a];
  const role = (a: AccountRole, name: string) => `arn:${env.partition}:iam::${account(a)}:role/${name}`;
  const everything = (a: AccountRole | 'foreign') => ({
    principal:
      a === 'foreign' ? `arn:${env.partition}:iam::${FOREIGN_ACCOUNT}:role/attacker` : role(a, 'allowed-everything'),
    identity: [ALLOW_EVERYTHING],
  });
  const sandboxS3 = { account: 'sandbox', id: /S3/, name: 'S3 gateway' } as const;
  const dataS3 = { account: 'data', id: /S3/, name: 'S3 gateway' } as const;
  const runInput = `${dataBucketArn(env)}/${runInputKey('run-1')}`;
  const signer = surface.roles.find((r) => r.arn === urlSignerRoleArn(env));
  const runner = surface.taskDefinitions.find(
    (t) => t.account === 'sandbox' && t.family === runnerTaskDefinitionFamily(env),
  );
  const executionRole = surface.roles.find((r) => r.arn === runner?.executionRoleArn);
  const repository = (name: string) =>
    `arn:${env.partition}:ecr:${env.region}:${account('sandbox')}:repository/${name}`;
  const runnerRepository = repository(`cdk-hnb659fds-container-assets-${account('sandbox')}-${env.region}`);
  const ecr = (id: RegExp, name: string) => ({ account: 'sandbox', id, name }) as const;
  const foreignObject = `arn:${env.partition}:s3:::attacker-owned-bucket/loot.txt`;

  return [
    {
      case: "an attacker's own keys (s3:* in its account) PUT to its own bucket through the sandbox's endpoint",
      ...everything('foreign'),
      action: 's3:PutObject',
      resource: foreignObject,
      resourceAccount: FOREIGN_ACCOUNT,
      endpoint: sandboxS3,
      expected: 'Denied',
      withoutEndpoint: 'Allowed',
    },
    {
      case: 'a principal of the data account allowed everything reads a result (not a run object) through it',
      ...everything('data'),
      action: 's3:GetObject',
      resource: `${dataBucketArn(env)}/results/run-1/report.json`,
      resourceAccount: account('data'),
      endpoint: sandboxS3,
      expected: 'Denied',
      withoutEndpoint: 'Allowed',
    },
    {
      case: "the URL signer's presigned GET of a run's input, from the sandbox network",
      principal: urlSignerRoleArn(env),
      identity: signer?.permissions.map((p) => p.document) ?? [],
      action: 's3:GetObject',
      resource: runInput,
      resourceAccount: account('data'),
      ...(dataBucketPolicy(surface) ? { resourcePolicy: dataBucketPolicy(surface) } : {}),
      context: { [VPCE_ACCOUNT_KEY]: account('sandbox') },
      endpoint: sandboxS3,
      expected: 'Allowed',
    },
    {
      case: "the runner's execution role pulls the runner image's repository",
      principal: runner?.executionRoleArn ?? 'none',
      identity: executionRole?.permissions.map((p) => p.document) ?? [],
      action: 'ecr:BatchGetImage',
      resource: runnerRepository,
      resourceAccount: account('sandbox'),
      endpoint: ecr(/EcrApi/, 'ECR API'),
      expected: 'Allowed',
    },
    ...[ecr(/EcrApi/, 'ECR API'), ecr(/EcrDocker/, 'ECR Docker')].flatMap((endpoint): EndpointCase[] => [
      {
        case: "the runner's execution role, were it allowed everything, pulls another repository",
        principal: runner?.executionRoleArn ?? 'none',
        identity: [ALLOW_EVERYTHING],
        action: 'ecr:BatchGetImage',
        resource: repository('someone-elses-image'),
        resourceAccount: account('sandbox'),
        endpoint,
        expected: 'Denied',
        withoutEndpoint: 'Allowed',
      },
      {
        case: 'another principal of the sandbox account allowed everything pulls the runner image',
        ...everything('sandbox'),
        action: 'ecr:BatchGetImage',
        resource: runnerRepository,
        resourceAccount: account('sandbox'),
        endpoint,
        expected: 'Denied',
        withoutEndpoint: 'Allowed',
      },
    ]),
    {
      case: 'another principal of the sandbox account allowed everything writes log events through it',
      ...everything('sandbox'),
      action: 'logs:PutLogEvents',
      resource: `arn:${env.partition}:logs:${env.region}:${account('sandbox')}:log-group:exfiltration:log-stream:x`,
      resourceAccount: account('sandbox'),
      endpoint: { account: 'sandbox', id: /Logs/, name: 'CloudWatch Logs' },
      expected: 'Denied',
      withoutEndpoint: 'Allowed',
    },
    {
      case: "a data function allowed everything by mistake PUTs to another account's bucket that lets it in",
      ...everything('data'),
      action: 's3:PutObject',
      resource: foreignObject,
      resourceAccount: FOREIGN_ACCOUNT,
      resourcePolicy: attackerGrants(everything('data').principal),
      endpoint: dataS3,
      expected: 'Denied',
      withoutEndpoint: 'Allowed',
    },
    {
      case: 'a data function allowed everything by mistake scans the runs table',
      ...everything('data'),
      action: 'dynamodb:Scan',
      resource: runsTableArn(env),
      resourceAccount: account('data'),
      endpoint: { account: 'data', id: /DynamoDB/, name: 'DynamoDB gateway' },
      expected: 'Denied',
      withoutEndpoint: 'Allowed',
    },
    {
      case: "a data function allowed everything by mistake assumes another account's role that trusts it",
      ...everything('data'),
      action: 'sts:AssumeRole',
      resource: `arn:${env.partition}:iam::${FOREIGN_ACCOUNT}:role/collector`,
      resourceAccount: FOREIGN_ACCOUNT,
      resourcePolicy: attackerGrants(everything('data').principal),
      endpoint: { account: 'data', id: /Sts/, name: 'STS' },
      expected: 'Denied',
      withoutEndpoint: 'Allowed',
    },
    {
      case: "a data function allowed everything by mistake uses another account's key that lets it in",
      ...everything('data'),
      action: 'kms:Decrypt',
      resource: `arn:${env.partition}:kms:${env.region}:${FOREIGN_ACCOUNT}:key/collector`,
      resourceAccount: FOREIGN_ACCOUNT,
      resourcePolicy: attackerGrants(everything('data').principal),
      endpoint: { account: 'data', id: /Kms/, name: 'KMS' },
      expected: 'Denied',
      withoutEndpoint: 'Allowed',
    },
  ];
}
