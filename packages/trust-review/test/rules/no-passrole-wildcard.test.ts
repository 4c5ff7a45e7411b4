import { describe, expect, it } from 'vitest';
import { noPassRoleWildcard } from '../../src/rules/no-passrole-wildcard.js';
import { role, statesTrust, surfaceOf } from './surface.js';

const launcher = (action: string, resource: string) =>
  surfaceOf({
    roles: [role('sandbox', 'launcher', [statesTrust], [{ Effect: 'Allow', Action: action, Resource: resource }])],
  });

describe('no-passrole-wildcard', () => {
  it('is compliant for iam:PassRole on the runner execution role only', () => {
    expect(noPassRoleWildcard.check(launcher('iam:PassRole', 'arn:aws:iam::222222222222:role/runner-exec'))).toEqual([
      { account: 'sandbox', subject: 'role launcher', compliance: 'compliant' },
    ]);
  });

  it('fails for iam:PassRole on "*", also when granted as iam:*', () => {
    const nonCompliant = [
      { account: 'sandbox', subject: 'role launcher', compliance: 'non-compliant', message: 'may iam:PassRole on "*"' },
    ];
    expect(noPassRoleWildcard.check(launcher('iam:PassRole', '*'))).toEqual(nonCompliant);
    expect(noPassRoleWildcard.check(launcher('iam:*', '*'))).toEqual(nonCompliant);
  });
});
