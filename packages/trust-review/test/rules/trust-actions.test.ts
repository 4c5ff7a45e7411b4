import { describe, expect, it } from 'vitest';
import { trustActions } from '../../src/rules/trust-actions.js';
import { role, surfaceOf, targetTrust } from './surface.js';

const check = (trust: typeof targetTrust) =>
  trustActions.check(surfaceOf({ roles: [role('data', 'target', [trust])] }));

describe('trust-actions', () => {
  it('is compliant for sts:AssumeRole and sts:TagSession from an AWS principal', () => {
    expect(check({ ...targetTrust, Action: ['sts:AssumeRole', 'sts:TagSession'] })).toEqual([
      { account: 'data', subject: 'role target', compliance: 'compliant' },
    ]);
  });

  it('fails on a wildcard action in a trust policy', () => {
    expect(check({ ...targetTrust, Action: 'sts:*' })).toEqual([
      {
        account: 'data',
        subject: 'role target',
        compliance: 'non-compliant',
        message: 'trust grants sts:*; only sts:AssumeRole, sts:TagSession is allowed',
      },
    ]);
  });

  it('fails on web-identity assumption granted to an AWS principal, and on NotAction', () => {
    expect(check({ Effect: 'Allow', Principal: targetTrust.Principal!, NotAction: 'iam:*' })).toEqual([
      {
        account: 'data',
        subject: 'role target',
        compliance: 'non-compliant',
        message: 'trust grants NotAction; only sts:AssumeRole, sts:TagSession is allowed',
      },
    ]);
    expect(check({ ...targetTrust, Action: 'sts:AssumeRoleWithWebIdentity' })).toEqual([
      {
        account: 'data',
        subject: 'role target',
        compliance: 'non-compliant',
        message: 'trust grants sts:AssumeRoleWithWebIdentity; only sts:AssumeRole, sts:TagSession is allowed',
      },
    ]);
  });
});
