import { CANARY_ROLE_NAMES, githubCanaryEnvironment, githubOidcSubject } from '@airlock/contracts';
import { defineRule, notApplicable, verdictsFor } from './define-rule.js';
import { federatedStatements, subjectsOf } from './github-oidc.js';
import { roleSubject } from './subjects.js';

export const distinctOidcSubjects = defineRule({
  id: 'distinct-oidc-subjects',
  invariant: 'I9',
  explanation:
    'No two roles, in any of the three accounts, trust the same GitHub OIDC subject: a workflow holding a token ' +
    'for that subject could otherwise deploy every account whose role trusts it, whatever the workflow checks. ' +
    'One exception, by name: the `<env>-canary` subject, trusted by exactly the canary roles of the orchestrator and ' +
    'data accounts (one job needs both), which can start and read canary runs and change nothing.',
  check: (surface) => {
    const canaryRoles = new Set(Object.values(CANARY_ROLE_NAMES).map((name) => name(surface.env)));
    const canarySubject = surface.env.github
      ? githubOidcSubject(surface.env.github.repository, githubCanaryEnvironment(surface.env))
      : undefined;
    /** The canary subject shared among canary roles only is the one reviewed exception. */
    const sharedOnlyByCanaries = (sub: string, sharers: readonly string[]) =>
      sub === canarySubject && sharers.every((name) => canaryRoles.has(name));
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
          const sharers = trustedBy.get(sub) ?? [];
          const others = sharers.filter((name) => name !== role.name);
          return others.length === 0 || sharedOnlyByCanaries(sub, sharers)
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
