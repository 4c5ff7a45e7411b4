import { accountOfArn, principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, defineRule, verdictsFor } from './define-rule.js';
import { resourcePolicySubject } from './subjects.js';

export const noCrossAccountResourcePolicy = defineRule({
  id: 'no-cross-account-resource-policy',
  invariant: 'I3',
  explanation:
    'No bucket, key, table, queue, topic, log or function policy grants another account anything: the only ' +
    'cross-account paths are the two target roles.',
  check: (surface) =>
    surface.resourcePolicies
      .filter((p) => !p.isEndpointPolicy)
      .flatMap((p) =>
        verdictsFor(
          resourcePolicySubject(p),
          allowStatements(p.policy.Statement).flatMap((s) =>
            principalsOf(s)
              .filter(
                (pr) => pr.kind === 'AWS' && pr.value !== '*' && (accountOfArn(pr.value) ?? pr.value) !== p.accountId,
              )
              .map((pr) => `grants ${pr.value} (another account)`),
          ),
        ),
      ),
});
