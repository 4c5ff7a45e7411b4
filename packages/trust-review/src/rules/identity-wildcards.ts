import { asList, type Statement } from '@airlock/cloud-assembly';
import type { RoleModel } from '@airlock/cloud-assembly';
import { allowStatements, type Finding, type TrustRule } from './finding.js';

const grants = (actions: string[], action: string) =>
  actions.some((a) => a === '*' || a === action || (a.endsWith('*') && action.startsWith(a.slice(0, -1))));

/**
 * Callers may `sts:AssumeRole` exact role ARNs only, and nobody may `iam:PassRole` on "*": either would let a role
 * reach roles nobody reviewed.
 */
export const identityWildcards: TrustRule = (surface) => {
  const findings: Finding[] = [];
  const check = (role: Pick<RoleModel, 'account'>, subject: string, statements: readonly Statement[]) => {
    for (const s of statements) {
      const actions = asList(s.Action);
      const resources = asList(s.Resource);
      if (grants(actions, 'sts:AssumeRole') && resources.some((r) => r.includes('*'))) {
        findings.push({
          rule: 'exact-assume-role-targets',
          account: role.account,
          subject,
          message: `may sts:AssumeRole on ${resources.filter((r) => r.includes('*')).join(', ')}`,
        });
      }
      if (grants(actions, 'iam:PassRole') && resources.includes('*')) {
        findings.push({
          rule: 'no-passrole-wildcard',
          account: role.account,
          subject,
          message: 'may iam:PassRole on "*"',
        });
      }
    }
  };
  for (const role of surface.roles)
    for (const p of role.permissions) check(role, `role ${role.name}`, allowStatements(p.document.Statement));
  for (const m of surface.managedPolicies) check(m, `managed policy ${m.name}`, allowStatements(m.document.Statement));
  return findings;
};
