import { principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, defineRule, notApplicable, verdictsFor } from './define-rule.js';
import { serviceBindingProblem } from './service-binding.js';

export const resourcePolicyServiceBinding = defineRule({
  id: 'resource-policy-service-binding',
  invariant: 'I3 (confused deputy)',
  explanation:
    'A key, bucket or other resource policy that allows an AWS service principal binds it with ' +
    'aws:SourceAccount or aws:SourceArn (or, for CloudWatch Logs on a key, the log group ARN in the encryption ' +
    "context) equal to the policy's own account or its resources, so the service cannot be made to use the " +
    'resource on behalf of another account.',
  check: (surface) =>
    surface.resourcePolicies
      .filter((p) => !p.isEndpointPolicy)
      .flatMap((policy) => {
        const at = { account: policy.account, subject: `${policy.type} ${policy.logicalId}` };
        const serviceGrants = allowStatements(policy.policy.Statement).filter((s) =>
          principalsOf(s).some((p) => p.kind === 'Service'),
        );
        if (serviceGrants.length === 0) return [notApplicable(at)];
        return verdictsFor(
          at,
          serviceGrants.flatMap((s) => {
            const problem = serviceBindingProblem(s, policy.accountId);
            return problem === undefined
              ? []
              : [
                  `allows ${principalsOf(s)
                    .filter((p) => p.kind === 'Service')
                    .map((p) => p.value)
                    .join(', ')} ${[s.Action ?? []].flat().join(', ')} ${problem}`,
                ];
          }),
        );
      }),
});
