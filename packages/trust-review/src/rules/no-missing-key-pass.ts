import type { Statement } from '@airlock/cloud-assembly';
import { allowStatements, type Finding, type TrustRule } from './finding.js';

const NEGATED = /^(String|Arn|Numeric|Date)Not/;

/** Conditions that pass when their key is absent: *IfExists, ForAllValues, and negations without a Null guard. */
function weakConditions(statement: Statement): string[] {
  const conditions = statement.Condition ?? {};
  const guarded = new Set(Object.keys(conditions.Null ?? {}));
  return Object.entries(conditions).flatMap(([operator, keys]) =>
    Object.keys(keys)
      .filter(
        (key) =>
          operator.endsWith('IfExists') ||
          operator.startsWith('ForAllValues:') ||
          (NEGATED.test(operator) && !guarded.has(key)),
      )
      .map((key) => `${operator} ${key}`),
  );
}

export const noMissingKeyPass: TrustRule = (surface) => {
  const findings: Finding[] = [];
  const check = (account: string, subject: string, statements: readonly Statement[]) => {
    for (const s of allowStatements(statements)) {
      for (const weak of weakConditions(s)) {
        findings.push({
          rule: 'no-missing-key-pass',
          account,
          subject,
          message: `condition ${weak} passes when the key is missing`,
        });
      }
    }
  };
  for (const role of surface.roles) check(role.account, `role ${role.name}`, role.trust.Statement);
  for (const p of surface.resourcePolicies) check(p.account, `${p.type} ${p.logicalId}`, p.policy.Statement);
  return findings;
};
