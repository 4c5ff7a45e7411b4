import { asList, type Statement } from '@airlock/cloud-assembly';
import { allowStatements, defineRule } from './define-rule.js';
import { grants } from './grants.js';
import { identityPolicyVerdicts } from './subjects.js';

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
  check: (surface) => identityPolicyVerdicts(surface, problemsOf),
});
