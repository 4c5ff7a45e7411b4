import { accountRootArn, analysisStateMachineArn, orchestratorRoleArn } from '@airlock/contracts';
import { accountOfArn, principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, type Finding, type TrustRule } from './finding.js';

/**
 * I1: a principal of another account is the orchestrator execution role, named exactly or as the orchestrator root
 * bound by `ArnEquals aws:PrincipalArn`, and always with `StringEquals sts:ExternalId` = the analysis state machine.
 */
export const crossAccountTrust: TrustRule = (surface) => {
  const env = surface.env;
  const allowedRole = orchestratorRoleArn(env);
  const allowedRoot = accountRootArn(env, env.accounts.orchestrator);
  const externalId = analysisStateMachineArn(env);
  const findings: Finding[] = [];
  for (const role of surface.roles) {
    const finding = (message: string) =>
      findings.push({ rule: 'cross-account-trust', account: role.account, subject: `role ${role.name}`, message });
    for (const s of allowStatements(role.trust.Statement)) {
      const foreign = principalsOf(s).filter(
        (p) => p.kind === 'AWS' && p.value !== '*' && (accountOfArn(p.value) ?? p.value) !== role.accountId,
      );
      if (foreign.length === 0) continue;
      for (const p of foreign) {
        if (p.value === allowedRoot) {
          if (s.Condition?.ArnEquals?.['aws:PrincipalArn'] !== allowedRole) {
            finding(`trusts account root ${p.value} without ArnEquals aws:PrincipalArn = ${allowedRole}`);
          }
        } else if (p.value !== allowedRole) {
          finding(`trusts ${p.value}, which is not the orchestrator execution role`);
        }
      }
      const operators = Object.entries(s.Condition ?? {})
        .filter(([, keys]) => 'sts:ExternalId' in keys)
        .map(([op]) => op);
      if (operators.length === 0) finding('cross-account trust without sts:ExternalId');
      else if (operators.some((op) => op !== 'StringEquals'))
        finding(`sts:ExternalId is tested with ${operators.join(', ')}; only StringEquals is allowed`);
      else if (s.Condition?.StringEquals?.['sts:ExternalId'] !== externalId) {
        finding(
          `sts:ExternalId is ${JSON.stringify(s.Condition?.StringEquals?.['sts:ExternalId'])}, not the analysis state machine ${externalId}`,
        );
      }
    }
  }
  return findings;
};
