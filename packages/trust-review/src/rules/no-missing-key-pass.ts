import type { Statement } from '@airlock/cloud-assembly';
import { defineRule, verdictsFor } from './define-rule.js';
import { resourcePolicySubject, roleSubject } from './subjects.js';

const NEGATED = /^(String|Arn|Numeric|Date)Not/;

/** Keys the statement requires to be present (`"Null": { key: "false" }`). */
const presentKeys = (statement: Statement): Set<string> =>
  new Set(
    Object.entries(statement.Condition?.Null ?? {})
      .filter(([, value]) => String(value) === 'false')
      .map(([key]) => key),
  );

const conditionKeys = (statement: Statement) =>
  Object.entries(statement.Condition ?? {}).flatMap(([operator, keys]) =>
    Object.keys(keys).map((key) => ({ operator, key })),
  );

/**
 * An Allow must not pass when its key is absent: *IfExists, ForAllValues, and negations without a Null guard do.
 */
const allowProblems = (statement: Statement): string[] => {
  const present = presentKeys(statement);
  return conditionKeys(statement)
    .filter(
      ({ operator, key }) =>
        operator.endsWith('IfExists') ||
        operator.startsWith('ForAllValues:') ||
        (NEGATED.test(operator) && !present.has(key)),
    )
    .map(({ operator, key }) => `condition ${operator} ${key} passes when the key is missing`);
};

/**
 * A Deny's negation must apply when its key is absent (a request from the internet carries no aws:VpceAccount):
 * a Null guard on the same key exempts exactly those requests.
 */
const denyProblems = (statement: Statement): string[] => {
  const present = presentKeys(statement);
  return conditionKeys(statement)
    .filter(({ operator, key }) => NEGATED.test(operator) && present.has(key))
    .map(
      ({ operator, key }) =>
        `Deny condition ${operator} ${key} is guarded by Null ${key} = false, which exempts requests without ` +
        `${key} from the Deny; remove the Null guard`,
    );
};

const problemsOf = (statements: readonly Statement[]): string[] =>
  statements.flatMap((s) => (s.Effect === 'Allow' ? allowProblems(s) : denyProblems(s)));

export const noMissingKeyPass = defineRule({
  id: 'no-missing-key-pass',
  invariant: 'I1, I3, I5',
  explanation:
    'A condition must hold for requests that lack its key: an Allow with *IfExists, ForAllValues or an ' +
    'unguarded negation admits them, and a Deny whose negation is guarded by Null = false lets them through.',
  check: (surface) => [
    ...surface.roles.flatMap((role) => verdictsFor(roleSubject(role), problemsOf(role.trust.Statement))),
    ...surface.resourcePolicies.flatMap((p) => verdictsFor(resourcePolicySubject(p), problemsOf(p.policy.Statement))),
  ],
});
