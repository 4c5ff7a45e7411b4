import { asList, type Statement } from '@airlock/cloud-assembly';
import { allowStatements, defineRule, verdictsFor } from './define-rule.js';
import { grants } from './grants.js';
import { managedPolicySubject, roleSubject } from './subjects.js';

const problemsOf = (statements: readonly Statement[]): string[] =>
  allowStatements(statements).flatMap((s) =>
    grants(asList(s.Action), 'iam:PassRole') && asList(s.Resource).includes('*') ? ['may iam:PassRole on "*"'] : [],
  );

export const noPassRoleWildcard = defineRule({
  id: 'no-passrole-wildcard',
  invariant: 'I4, I6',
  explanation:
    'Nobody may iam:PassRole on "*": whoever may call RunTask may attach any role it may pass as a task role ' +
    '(iam:PassRole cannot tell an execution role from overrides.taskRoleArn).',
  check: (surface) => [
    ...surface.roles.flatMap((role) =>
      verdictsFor(
        roleSubject(role),
        role.permissions.flatMap((p) => problemsOf(p.document.Statement)),
      ),
    ),
    ...surface.managedPolicies.flatMap((m) => verdictsFor(managedPolicySubject(m), problemsOf(m.document.Statement))),
  ],
});
