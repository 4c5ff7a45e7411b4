import { describe, expect, it } from 'vitest';
import type { Statement } from '@airlock/cloud-assembly';
import { noGrantToUndefinedRole } from '../../src/rules/no-grant-to-undefined-role.js';
import { loadTrustSurface } from '@airlock/cloud-assembly';
import { surfaceOf } from './surface.js';
import { env, workspaceRoot } from '../scratch-workspace.js';

const lookupRole = 'cdk-hnb659fds-lookup-role-222222222222-eu-west-1';
const onLookupRole = (statement: Statement) =>
  surfaceOf({
    policiesOnOtherRoles: [
      {
        account: 'sandbox',
        accountId: '222222222222',
        stack: 'airlock-example-sandbox-deploy-access',
        logicalId: 'LookupRoleNeverReadsRunData',
        name: 'LookupRoleNeverReadsRunData',
        roles: [lookupRole],
        document: { Version: '2012-10-17', Statement: [statement] },
      },
    ],
  });

describe('no-grant-to-undefined-role', () => {
  it('is compliant for a Deny on a bootstrap role', () => {
    expect(
      noGrantToUndefinedRole.check(onLookupRole({ Effect: 'Deny', Action: 'ecs:DescribeTasks', Resource: '*' })),
    ).toEqual([
      { account: 'sandbox', subject: `policy LookupRoleNeverReadsRunData on ${lookupRole}`, compliance: 'compliant' },
    ]);
  });

  it('fails for an Allow on a role the templates do not define', () => {
    expect(noGrantToUndefinedRole.check(onLookupRole({ Effect: 'Allow', Action: 's3:*', Resource: '*' }))).toEqual([
      expect.objectContaining({
        compliance: 'non-compliant',
        message: expect.stringMatching(/^allows .*s3:\*.* to a role the templates do not define\. Fix: /),
      }),
    ]);
  });

  it("sees each account's lookup-role Deny in the synthesized templates, and finds it compliant", () => {
    const surface = loadTrustSurface(env, workspaceRoot);
    expect(surface.policiesOnOtherRoles.map((p) => p.roles)).toEqual(
      ['111111111111', '222222222222', '333333333333'].map((id) => [`cdk-hnb659fds-lookup-role-${id}-eu-west-1`]),
    );
    expect(noGrantToUndefinedRole.check(surface).map((v) => v.compliance)).toEqual([
      'compliant',
      'compliant',
      'compliant',
    ]);
  });
});
