import { allowStatements, defineRule, verdictsFor } from './define-rule.js';
import { identityPolicyVerdicts, resourcePolicySubject } from './subjects.js';
import type { Statement } from '@airlock/cloud-assembly';

const problemsOf = (statements: readonly Statement[]): string[] =>
  allowStatements(statements).flatMap((s) => [
    ...(s.NotAction !== undefined
      ? [`allows every action except ${JSON.stringify(s.NotAction)}. Fix: list the actions it needs`]
      : []),
    ...(s.NotResource !== undefined
      ? [`allows on every resource except ${JSON.stringify(s.NotResource)}. Fix: list the resources it needs`]
      : []),
  ]);

export const noAllowNotAction = defineRule({
  id: 'no-allow-not-action',
  invariant: 'I2',
  explanation:
    'No Allow uses NotAction or NotResource: each grants everything it does not name, including actions and ' +
    'resources AWS adds later, so no reviewer can say what it reaches.',
  check: (surface) => [
    ...identityPolicyVerdicts(surface, problemsOf),
    ...surface.identities.flatMap((i) =>
      verdictsFor(
        { account: i.account, subject: `IAM ${i.kind} ${i.name}` },
        i.permissions.flatMap((p) => problemsOf(p.document.Statement)),
      ),
    ),
    ...surface.resourcePolicies.flatMap((p) => verdictsFor(resourcePolicySubject(p), problemsOf(p.policy.Statement))),
  ],
});
