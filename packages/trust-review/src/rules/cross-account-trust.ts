import { accountRootArn, analysisStateMachineArn, orchestratorRoleArn } from '@airlock/contracts';
import { accountOfArn, principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, defineRule, notApplicable, verdictsFor } from './define-rule.js';
import { roleSubject } from './subjects.js';

export const crossAccountTrust = defineRule({
  id: 'cross-account-trust',
  invariant: 'I1',
  explanation:
    'A principal of another account is the orchestrator execution role, named exactly or as the orchestrator ' +
    'root bound by `ArnEquals aws:PrincipalArn`, and always with `StringEquals sts:ExternalId` = the analysis ' +
    'state machine.',
  check: (surface) => {
    const env = surface.env;
    const allowedRole = orchestratorRoleArn(env);
    const allowedRoot = accountRootArn(env, env.accounts.orchestrator);
    const externalId = analysisStateMachineArn(env);
    return surface.roles.flatMap((role) => {
      const crossAccount = allowStatements(role.trust.Statement).flatMap((s) => {
        const foreign = principalsOf(s).filter(
          (p) => p.kind === 'AWS' && p.value !== '*' && (accountOfArn(p.value) ?? p.value) !== role.accountId,
        );
        return foreign.length === 0 ? [] : [{ s, foreign }];
      });
      if (crossAccount.length === 0) return [notApplicable(roleSubject(role))];
      const problems = crossAccount.flatMap(({ s, foreign }) => {
        const principalProblems = foreign.flatMap((p) => {
          if (p.value === allowedRoot)
            return s.Condition?.ArnEquals?.['aws:PrincipalArn'] === allowedRole
              ? []
              : [`trusts account root ${p.value} without ArnEquals aws:PrincipalArn = ${allowedRole}`];
          return p.value === allowedRole ? [] : [`trusts ${p.value}, which is not the orchestrator execution role`];
        });
        const operators = Object.entries(s.Condition ?? {})
          .filter(([, keys]) => 'sts:ExternalId' in keys)
          .map(([op]) => op);
        const externalIdProblem =
          operators.length === 0
            ? 'cross-account trust without sts:ExternalId'
            : operators.some((op) => op !== 'StringEquals')
              ? `sts:ExternalId is tested with ${operators.join(', ')}; only StringEquals is allowed`
              : s.Condition?.StringEquals?.['sts:ExternalId'] !== externalId
                ? `sts:ExternalId is ${JSON.stringify(s.Condition?.StringEquals?.['sts:ExternalId'])}, not the analysis state machine ${externalId}`
                : undefined;
        return [...principalProblems, ...(externalIdProblem ? [externalIdProblem] : [])];
      });
      return verdictsFor(roleSubject(role), problems);
    });
  },
});
