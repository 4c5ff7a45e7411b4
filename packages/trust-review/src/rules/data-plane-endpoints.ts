import { dataBucketArn } from '@airlock/contracts';
import { accountOfArn, asList, type Statement } from '@airlock/cloud-assembly';
import { defineRule, verdictsFor } from './define-rule.js';

/** Why one statement of a data-plane endpoint policy admits more than the data account's own resources. */
function statementProblems(s: Statement, dataAccount: string, bucketArn: string): string[] {
  const s3Arn = bucketArn.slice(0, bucketArn.indexOf(':::') + 3);
  if (s.Effect !== 'Allow') return [];
  if (s.NotAction !== undefined || s.NotPrincipal !== undefined || s.Resource === undefined)
    return [`admits by exclusion (NotAction, NotPrincipal or NotResource): ${JSON.stringify(s)}`];
  const problems: string[] = [];
  // The binding that keeps a same-named resource of another account (a squatted bucket, a foreign role) out.
  const bound = asList(s.Condition?.StringEquals?.['aws:ResourceAccount']).map(String);
  if (bound.length !== 1 || bound[0] !== dataAccount)
    problems.push(`statement ${s.Sid ?? '(no Sid)'} is not bound by aws:ResourceAccount = ${dataAccount}`);
  for (const resource of asList(s.Resource).map(String)) {
    const ours = resource.startsWith(s3Arn)
      ? resource === bucketArn || resource === `${bucketArn}/*`
      : accountOfArn(resource) === dataAccount && !resource.includes('*');
    if (!ours) problems.push(`statement ${s.Sid ?? '(no Sid)'} admits ${resource}, not a resource of the data plane`);
  }
  return problems;
}

export const dataPlaneEndpoints = defineRule({
  id: 'data-plane-endpoints',
  invariant: 'I5, I8',
  explanation:
    "The data-plane functions parse hostile archives: their VPC's endpoints each carry a policy, and every statement " +
    'admits only named resources of the data account (the data bucket, or an ARN in the account with no wildcard), ' +
    'bound by aws:ResourceAccount, so a subverted function cannot reach another account through them.',
  check: (surface) => {
    const dataAccount = surface.env.accounts.data;
    const bucketArn = dataBucketArn(surface.env);
    const endpoints = surface.networkResources.filter(
      (r) => r.account === 'data' && r.type === 'AWS::EC2::VPCEndpoint',
    );
    return endpoints.flatMap((endpoint) => {
      const policy = surface.resourcePolicies.find(
        (p) => p.isEndpointPolicy && p.stack === endpoint.stack && p.logicalId === endpoint.logicalId,
      );
      return verdictsFor(
        { account: 'data', subject: `VPC endpoint ${endpoint.logicalId}` },
        policy
          ? policy.policy.Statement.flatMap((s) => statementProblems(s, dataAccount, bucketArn))
          : ['has no endpoint policy: it admits every action on every resource of every account'],
      );
    });
  },
});
