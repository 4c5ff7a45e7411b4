import { asList, principalsOf, type Statement, type TrustSurface } from '@airlock/cloud-assembly';
import { dataBucketArn, runnerTaskDefinitionFamily } from '@airlock/contracts';
import { defineRule, verdictsFor } from './define-rule.js';
import { isolatedSubnets, sandboxNetwork } from './sandbox-topology.js';

/**
 * The endpoints the runner needs, as the sandbox template synthesizes them: S3 (gateway) for its run objects and
 * ECR's image layers, ECR API and Docker (interface) to pull its image, Logs (interface) for awslogs. Any other
 * service is another way out of the VPC.
 */
const expectedEndpoints = (region: string): Readonly<Record<string, 'Gateway' | 'Interface'>> => ({
  [`com.amazonaws.${region}.s3`]: 'Gateway',
  [`com.amazonaws.${region}.ecr.api`]: 'Interface',
  [`com.amazonaws.${region}.ecr.dkr`]: 'Interface',
  [`com.amazonaws.${region}.logs`]: 'Interface',
});

/** The actions each interface endpoint may pass, for the runner's execution role only. */
const INTERFACE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'ecr.api': [
    'ecr:BatchGetImage',
    'ecr:GetDownloadUrlForLayer',
    'ecr:BatchCheckLayerAvailability',
    'ecr:GetAuthorizationToken',
  ],
  'ecr.dkr': [
    'ecr:BatchGetImage',
    'ecr:GetDownloadUrlForLayer',
    'ecr:BatchCheckLayerAvailability',
    'ecr:GetAuthorizationToken',
  ],
  logs: ['logs:CreateLogStream', 'logs:PutLogEvents'],
};
/** GetAuthorizationToken has no resource type: IAM accepts only `*` for it. */
const RESOURCELESS_ACTIONS = ['ecr:GetAuthorizationToken'];

const describeStatement = (s: Statement) =>
  `${asList(s.Action).join(', ') || `NotAction ${asList(s.NotAction).join(', ')}`} on ${asList(s.Resource).join(', ') || '(NotResource)'}`;

/**
 * What the S3 gateway endpoint may admit (presigned requests carry the data account's signer and ECR's layer URLs
 * ECR's own principal, so it cannot name principals): GET/PUT of the data bucket's `runs/` objects, only in the data
 * account (a bucket of that name elsewhere is not it), and GET of the region's ECR layer bucket. A statement is fine
 * only when it is exactly one of these; `s3:*` or `*` on any resource, for any principal, is a way out.
 */
function s3PolicyProblems(statements: readonly Statement[], surface: TrustSurface): string[] {
  const { env } = surface;
  const runObjects = `${dataBucketArn(env)}/runs/*`;
  const layers = `arn:${env.partition}:s3:::prod-${env.region}-starport-layer-bucket/*`;
  const fits = (s: Statement) => {
    if (s.NotAction !== undefined || s.NotPrincipal !== undefined || s.Resource === undefined) return false;
    const actions = asList(s.Action);
    const resources = asList(s.Resource);
    if (resources.length === 1 && resources[0] === runObjects)
      return (
        actions.every((a) => ['s3:GetObject', 's3:PutObject'].includes(a)) &&
        JSON.stringify(s.Condition) === JSON.stringify({ StringEquals: { 'aws:ResourceAccount': env.accounts.data } })
      );
    return resources.length === 1 && resources[0] === layers && actions.every((a) => a === 's3:GetObject');
  };
  return statements
    .filter((s) => s.Effect === 'Allow' && !fits(s))
    .map(
      (s) =>
        `admits ${describeStatement(s)}${s.Condition ? ` when ${JSON.stringify(s.Condition)}` : ''}, beyond GET/PUT of ${runObjects} in the data account (${env.accounts.data}) and GET of ${layers}`,
    );
}

/** Interface endpoint policies: only the runner's execution role, only its service's few actions, no wildcards. */
function interfacePolicyProblems(service: string, statements: readonly Statement[], executionRole: string): string[] {
  const allowed = INTERFACE_ACTIONS[service] ?? [];
  return statements
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => {
      const principals = principalsOf(s);
      const problems: string[] = [];
      if (s.NotAction !== undefined || s.NotPrincipal !== undefined || s.Resource === undefined)
        problems.push(`admits by exclusion (NotAction, NotPrincipal or NotResource): ${describeStatement(s)}`);
      if (principals.length === 0 || principals.some((p) => p.value !== executionRole))
        problems.push(
          `admits ${principals.map((p) => p.value).join(', ') || 'no named principal'}, not only the runner's execution role (${executionRole})`,
        );
      const foreign = asList(s.Action).filter((a) => !allowed.includes(a));
      if (foreign.length > 0) problems.push(`admits ${foreign.join(', ')}, beyond ${allowed.join(', ')}`);
      // A wildcard anywhere in a resource (`arn:aws:logs:*:*:log-group:*`) is as open as "*" itself; only a log
      // group's own streams (a trailing `:*` after a literal group ARN) may be named that way.
      if (
        asList(s.Resource).some((r) =>
          String(r)
            .replace(/:log-group:[^*:]+:\*$/, ':log-group:named')
            .includes('*'),
        ) &&
        asList(s.Action).some((a) => !RESOURCELESS_ACTIONS.includes(a))
      )
        problems.push(
          `admits ${describeStatement(s)}: only ${RESOURCELESS_ACTIONS.join(', ')} may use a wildcard resource`,
        );
      return problems;
    });
}

export const sandboxVpcEndpoints = defineRule({
  id: 'sandbox-vpc-endpoints',
  invariant: 'I4, I5',
  explanation:
    "The sandbox VPC's endpoints are exactly the runner's (S3 gateway; ECR API, ECR Docker and Logs interface " +
    'endpoints with private DNS in isolated subnets), and each has a restrictive policy: the S3 endpoint admits ' +
    "only the data bucket's run objects in the data account and ECR's layer bucket; the interface endpoints admit " +
    "only the runner's execution role and the few actions it needs. Without that, code in the VPC could reach any " +
    'bucket or service through them with credentials of its own.',
  check: (surface) => {
    const network = sandboxNetwork(surface);
    const expected = expectedEndpoints(surface.env.region);
    const isolated = new Set(isolatedSubnets(network).map((s) => `${s.stack}-${s.logicalId}`));
    const executionRole =
      surface.taskDefinitions.find(
        (t) => t.account === 'sandbox' && t.family === runnerTaskDefinitionFamily(surface.env),
      )?.executionRoleArn ?? '(the runner task definition has no execution role)';
    return network
      .filter((r) => r.type === 'AWS::EC2::VPCEndpoint')
      .flatMap((endpoint) => {
        const p = endpoint.properties;
        const service = String(p.ServiceName);
        // CloudFormation's default endpoint type is Gateway.
        const type = String(p.VpcEndpointType ?? 'Gateway');
        const at = { account: 'sandbox', subject: `VPC endpoint ${endpoint.logicalId} (${service})` };
        const short = service.replace(`com.amazonaws.${surface.env.region}.`, '');
        const policy = p.PolicyDocument as { Statement?: Statement[] } | undefined;
        const statements = asList(policy?.Statement);
        const problems = [
          !(service in expected) &&
            `reaches ${service}, which the runner does not use (expected: ${Object.keys(expected).join(', ')})`,
          service in expected && expected[service] !== type && `is a ${type} endpoint, not ${expected[service]}`,
          policy === undefined && 'has no policy: the default admits every principal and action',
          ...(type === 'Interface'
            ? [
                // Private DNS sends the service's usual name to the endpoint; without it that name resolves to the
                // public service, which the DNS firewall allows and the isolated subnets cannot reach.
                p.PrivateDnsEnabled !== true && 'has private DNS off (intended: on)',
                ...asList(p.SubnetIds as string | string[] | undefined)
                  .filter((subnet) => !isolated.has(subnet))
                  .map((subnet) => `is placed in subnet ${subnet}, which is not an isolated subnet of the sandbox VPC`),
                ...interfacePolicyProblems(short, statements, executionRole),
              ]
            : service in expected
              ? s3PolicyProblems(statements, surface)
              : []),
        ].filter((x): x is string => typeof x === 'string');
        return verdictsFor(at, problems);
      });
  },
});
