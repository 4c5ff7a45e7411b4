import { asList, type Statement } from '@airlock/cloud-assembly';
import { allowStatements, defineRule } from './define-rule.js';
import { grants } from './grants.js';
import { identityPolicyVerdicts } from './subjects.js';

const problemsOf = (statements: readonly Statement[]): string[] =>
  allowStatements(statements).flatMap((s) => {
    const wildcards = asList(s.Resource).filter((r) => r.includes('*'));
    return grants(asList(s.Action), 'sts:AssumeRole') && wildcards.length > 0
      ? [`may sts:AssumeRole on ${wildcards.join(', ')}`]
      : [];
  });

export const exactAssumeRoleTargets = defineRule({
  id: 'exact-assume-role-targets',
  invariant: 'I2, I6',
  explanation:
    'A caller may sts:AssumeRole exact role ARNs only: a wildcard would let it reach roles nobody reviewed ' +
    '(CDK grants "*" for a role taken from a JSONPath).',
  check: (surface) => identityPolicyVerdicts(surface, problemsOf),
});
