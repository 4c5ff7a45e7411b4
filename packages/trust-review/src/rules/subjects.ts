import type { ManagedPolicyModel, ResourcePolicyModel, RoleModel } from '@airlock/cloud-assembly';
import type { Subject } from './define-rule.js';

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
