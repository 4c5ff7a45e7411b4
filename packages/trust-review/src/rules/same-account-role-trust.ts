import { accountOfArn, principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, type TrustRule } from './finding.js';

/** Same-account role-to-role trust (e.g. the URL signer) names the exact role, never the account root or a user. */
export const sameAccountRoleTrust: TrustRule = (surface) =>
  surface.roles.flatMap((role) =>
    allowStatements(role.trust.Statement).flatMap((s) =>
      principalsOf(s)
        .filter((p) => p.kind === 'AWS' && (accountOfArn(p.value) ?? p.value) === role.accountId)
        .filter((p) => !/^arn:[^:]+:iam::\d{12}:role\/[^*]+$/.test(p.value))
        .map((p) => ({
          rule: 'same-account-role-trust',
          account: role.account,
          subject: `role ${role.name}`,
          message: `trusts ${p.value}; name the exact role instead`,
        })),
    ),
  );
