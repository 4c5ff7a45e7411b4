import type {
  ManagedPolicyModel,
  ResourcePolicyModel,
  RoleModel,
  Statement,
  TrustSurface,
} from '@airlock/cloud-assembly';
import { verdictsFor, type Subject, type Verdict } from './define-rule.js';

/** How findings name what they are about, the same way in every rule. */
export const roleSubject = (role: RoleModel): Subject => ({ account: role.account, subject: `role ${role.name}` });
export const resourcePolicySubject = (policy: ResourcePolicyModel): Subject => ({
  account: policy.account,
  subject: `${policy.type} ${policy.logicalId}`,
});
export const managedPolicySubject = (policy: ManagedPolicyModel): Subject => ({
  account: policy.account,
  subject: `managed policy ${policy.name}`,
});

/** Verdicts over every identity policy (each role's policies, each managed policy), judged statement by statement. */
export const identityPolicyVerdicts = (
  surface: TrustSurface,
  problemsOf: (statements: readonly Statement[]) => string[],
): Verdict[] => [
  ...surface.roles.flatMap((role) =>
    verdictsFor(
      roleSubject(role),
      role.permissions.flatMap((p) => problemsOf(p.document.Statement)),
    ),
  ),
  ...surface.managedPolicies.flatMap((m) => verdictsFor(managedPolicySubject(m), problemsOf(m.document.Statement))),
];
