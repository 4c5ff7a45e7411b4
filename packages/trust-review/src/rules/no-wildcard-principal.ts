import { principalsOf, type Statement } from '@airlock/cloud-assembly';
import { allowStatements, defineRule, verdictsFor } from './define-rule.js';
import { resourcePolicySubject, roleSubject } from './subjects.js';

const problemsOf = (statements: readonly Statement[]): string[] =>
  allowStatements(statements).flatMap((s) => [
    ...(s.NotPrincipal !== undefined ? ['uses NotPrincipal, which admits everyone not listed'] : []),
    ...(principalsOf(s).some((p) => p.value === '*') ? ['admits any principal ("*")'] : []),
  ]);

export const noWildcardPrincipal = defineRule({
  id: 'no-wildcard-principal',
  invariant: 'I1, I3',
  explanation:
    'No trust or resource policy admits "*" or uses NotPrincipal: either lets principals nobody reviewed in. ' +
    'VPC endpoint policies filter a network path, grant nothing on their own, and are exempt.',
  check: (surface) => [
    ...surface.roles.flatMap((role) => verdictsFor(roleSubject(role), problemsOf(role.trust.Statement))),
    ...surface.resourcePolicies
      .filter((p) => !p.isEndpointPolicy)
      .flatMap((p) => verdictsFor(resourcePolicySubject(p), problemsOf(p.policy.Statement))),
  ],
});
