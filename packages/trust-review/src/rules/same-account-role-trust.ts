import { accountOfArn, principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, defineRule, notApplicable, verdictsFor } from './define-rule.js';
import { roleSubject } from './subjects.js';

const EXACT_ROLE = /^arn:[^:]+:iam::\d{12}:role\/[^*?]+$/;

export const sameAccountRoleTrust = defineRule({
  id: 'same-account-role-trust',
  invariant: 'I5, I6',
  explanation:
    'Same-account role-to-role trust (the URL signer trusting prepare) names the exact role, never the account ' +
    'root, a user or a wildcard: the root would let every principal of the account with sts:AssumeRole in.',
  check: (surface) =>
    surface.roles.flatMap((role) => {
      const sameAccount = allowStatements(role.trust.Statement)
        .flatMap((s) => principalsOf(s))
        .filter((p) => p.kind === 'AWS' && (accountOfArn(p.value) ?? p.value) === role.accountId);
      if (sameAccount.length === 0) return [notApplicable(roleSubject(role))];
      return verdictsFor(
        roleSubject(role),
        sameAccount
          .filter((p) => !EXACT_ROLE.test(p.value))
          .map((p) => `trusts ${p.value}; name the exact role instead`),
      );
    }),
});
