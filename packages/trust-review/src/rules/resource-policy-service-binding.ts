import { principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, defineRule, notApplicable, verdictsFor } from './define-rule.js';

/**
 * Condition keys that tie a service's request to this account's own resources: the confused-deputy keys, and the
 * encryption context CloudWatch Logs sends to KMS (the log group's ARN, so the account is in it).
 */
const BINDING_KEYS = ['aws:SourceAccount', 'aws:SourceArn', 'aws:SourceOrgID', 'kms:EncryptionContext:aws:logs:arn'];

export const resourcePolicyServiceBinding = defineRule({
  id: 'resource-policy-service-binding',
  invariant: 'I3 (confused deputy)',
  explanation:
    'A key, bucket or other resource policy that allows an AWS service principal binds it with ' +
    'aws:SourceAccount or aws:SourceArn (or, for CloudWatch Logs on a key, the log group ARN in the encryption ' +
    'context), so the service cannot be made to use the resource on behalf of another account.',
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
          serviceGrants
            .filter((s) => !Object.values(s.Condition ?? {}).some((keys) => BINDING_KEYS.some((k) => k in keys)))
            .map(
              (s) =>
                `allows ${principalsOf(s)
                  .filter((p) => p.kind === 'Service')
                  .map((p) => p.value)
                  .join(', ')} ${[s.Action ?? []].flat().join(', ')} without aws:SourceAccount or aws:SourceArn`,
            ),
        );
      }),
});
