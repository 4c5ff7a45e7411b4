import { defineRule, notApplicable, verdictsFor } from './define-rule.js';
import { federatedStatements, subjectsOf } from './github-oidc.js';
import { roleSubject } from './subjects.js';

export const distinctOidcSubjects = defineRule({
  id: 'distinct-oidc-subjects',
  invariant: 'I9',
  explanation:
    'No two roles, in any of the three accounts, trust the same GitHub OIDC subject: a workflow holding a token ' +
    'for that subject could otherwise deploy every account whose role trusts it, whatever the workflow checks.',
  check: (surface) => {
    const trustedBy = new Map<string, string[]>();
    for (const role of surface.roles)
      for (const sub of new Set(federatedStatements(role.trust.Statement).flatMap(subjectsOf)))
        trustedBy.set(sub, [...(trustedBy.get(sub) ?? []), role.name]);
    return surface.roles.flatMap((role) => {
      const subs = [...new Set(federatedStatements(role.trust.Statement).flatMap(subjectsOf))];
      if (subs.length === 0) return [notApplicable(roleSubject(role))];
      return verdictsFor(
        roleSubject(role),
        subs.flatMap((sub) => {
          const others = (trustedBy.get(sub) ?? []).filter((name) => name !== role.name);
          return others.length === 0
            ? []
            : [
                `trusts GitHub subject ${sub}, which ${others.join(', ')} also trust${others.length === 1 ? 's' : ''}: ` +
                  'one workflow token deploys all of their accounts; give each account its own GitHub environment ' +
                  '(repo:<owner/name>:environment:<env>-<account>) and trust only that one',
              ];
        }),
      );
    });
  },
});
