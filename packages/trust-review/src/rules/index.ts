import type { TrustSurface } from '@airlock/cloud-assembly';
import { crossAccountTrust } from './cross-account-trust.js';
import { federatedTrust } from './federated-trust.js';
import type { Finding, TrustRule } from './finding.js';
import { identityWildcards } from './identity-wildcards.js';
import { noCrossAccountResourcePolicy } from './no-cross-account-resource-policy.js';
import { noMissingKeyPass } from './no-missing-key-pass.js';
import { noWildcardPrincipal } from './no-wildcard-principal.js';
import { sameAccountRoleTrust } from './same-account-role-trust.js';
import { sandboxTaskNoRole } from './sandbox-task-no-role.js';
import { servicePrincipalBinding } from './service-principal-binding.js';
import { trustActions } from './trust-actions.js';

export type { Finding } from './finding.js';

/** The static checks, in the order the report lists them. */
export const TRUST_RULES: readonly TrustRule[] = [
  noWildcardPrincipal,
  trustActions,
  crossAccountTrust,
  servicePrincipalBinding,
  noMissingKeyPass,
  identityWildcards,
  noCrossAccountResourcePolicy,
  sandboxTaskNoRole,
  federatedTrust,
  sameAccountRoleTrust,
];

export const runTrustRules = (surface: TrustSurface): Finding[] => TRUST_RULES.flatMap((rule) => rule(surface));
