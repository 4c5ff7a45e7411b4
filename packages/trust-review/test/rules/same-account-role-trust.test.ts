import { describe, expect, it } from 'vitest';
import { sameAccountRoleTrust } from '../../src/rules/same-account-role-trust.js';
import { role, surfaceOf, targetTrust } from './surface.js';

const signer = (principal: string) =>
  surfaceOf({
    roles: [role('data', 'signer', [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }])],
  });

describe('same-account-role-trust', () => {
  it('is compliant when the signer trusts the exact prepare role', () => {
    expect(sameAccountRoleTrust.check(signer('arn:aws:iam::333333333333:role/prepare'))).toEqual([
      { account: 'data', subject: 'role signer', compliance: 'compliant' },
    ]);
  });

  it('does not apply to a role trusted only from another account', () => {
    expect(sameAccountRoleTrust.check(surfaceOf({ roles: [role('data', 'target', [targetTrust])] }))).toEqual([
      { account: 'data', subject: 'role target', compliance: 'not-applicable' },
    ]);
  });

  it('fails when the signer trusts its account root, or a role pattern', () => {
    for (const principal of ['arn:aws:iam::333333333333:root', 'arn:aws:iam::333333333333:role/prepare-*'])
      expect(sameAccountRoleTrust.check(signer(principal))).toEqual([
        {
          account: 'data',
          subject: 'role signer',
          compliance: 'non-compliant',
          message: `trusts ${principal}; name the exact role instead`,
        },
      ]);
  });
});
