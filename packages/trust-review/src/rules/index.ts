import type { TrustSurface } from '@airlock/cloud-assembly';
import { crossAccountTrust } from './cross-account-trust.js';
import { dataFunctionsInVpc } from './data-functions-in-vpc.js';
import { dataPlaneEndpoints } from './data-plane-endpoints.js';
import { findingsOf, type Finding, type TrustRule } from './define-rule.js';
import { distinctOidcSubjects } from './distinct-oidc-subjects.js';
import { exactAssumeRoleTargets } from './exact-assume-role-targets.js';
import { federatedTrust } from './federated-trust.js';
import { noAllowNotAction } from './no-allow-not-action.js';
import { noForeignAccountReference } from './no-foreign-account-reference.js';
import { noFunctionUrl } from './no-function-url.js';
import { oneRolePerFunction } from './one-role-per-function.js';
import { s3BucketClosed } from './s3-bucket-closed.js';
import { noGrantToUndefinedRole } from './no-grant-to-undefined-role.js';
import { noIamUsers } from './no-iam-users.js';
import { noCrossAccountResourcePolicy } from './no-cross-account-resource-policy.js';
import { noMissingKeyPass } from './no-missing-key-pass.js';
import { noPassRoleWildcard } from './no-passrole-wildcard.js';
import { noWildcardPrincipal } from './no-wildcard-principal.js';
import { resourcePolicyServiceBinding } from './resource-policy-service-binding.js';
import { runnerContainerConfinement } from './runner-container-confinement.js';
import { sameAccountRoleTrust } from './same-account-role-trust.js';
import { sandboxTaskNoRole } from './sandbox-task-no-role.js';
import { sandboxDnsFirewall } from './sandbox-dns-firewall.js';
import { sandboxNetworkClosed } from './sandbox-network-closed.js';
import { sandboxVpcEndpoints } from './sandbox-vpc-endpoints.js';
import { servicePrincipalBinding } from './service-principal-binding.js';
import { stateMachineTasks } from './state-machine-tasks.js';
import { trustActions } from './trust-actions.js';

export type { Finding, TrustRule } from './define-rule.js';

/** The static checks, in the order the report lists them. */
export const TRUST_RULES: readonly TrustRule[] = [
  noWildcardPrincipal,
  trustActions,
  crossAccountTrust,
  servicePrincipalBinding,
  noMissingKeyPass,
  exactAssumeRoleTargets,
  noPassRoleWildcard,
  noGrantToUndefinedRole,
  noCrossAccountResourcePolicy,
  noAllowNotAction,
  noForeignAccountReference,
  noFunctionUrl,
  oneRolePerFunction,
  s3BucketClosed,
  noIamUsers,
  sandboxTaskNoRole,
  runnerContainerConfinement,
  stateMachineTasks,
  sandboxNetworkClosed,
  sandboxVpcEndpoints,
  sandboxDnsFirewall,
  dataPlaneEndpoints,
  dataFunctionsInVpc,
  resourcePolicyServiceBinding,
  federatedTrust,
  distinctOidcSubjects,
  sameAccountRoleTrust,
];

export const runTrustRules = (surface: TrustSurface): Finding[] =>
  TRUST_RULES.flatMap((rule) => findingsOf(rule, surface));
