import { principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, type Finding, type TrustRule } from './finding.js';

/** No trust or resource policy admits "*" or uses NotPrincipal (endpoint policies filter a path and are exempt). */
export const noWildcardPrincipal: TrustRule = (surface) => {
  const findings: Finding[] = [];
  const check = (account: string, subject: string, statements: readonly Parameters<typeof principalsOf>[0][]) => {
    for (const s of allowStatements(statements)) {
      if (s.NotPrincipal !== undefined)
        findings.push({
          rule: 'no-wildcard-principal',
          account,
          subject,
          message: 'uses NotPrincipal, which admits everyone not listed',
        });
      if (principalsOf(s).some((p) => p.value === '*'))
        findings.push({ rule: 'no-wildcard-principal', account, subject, message: 'admits any principal ("*")' });
    }
  };
  for (const role of surface.roles) check(role.account, `role ${role.name}`, role.trust.Statement);
  for (const p of surface.resourcePolicies.filter((p) => !p.isEndpointPolicy))
    check(p.account, `${p.type} ${p.logicalId}`, p.policy.Statement);
  return findings;
};
