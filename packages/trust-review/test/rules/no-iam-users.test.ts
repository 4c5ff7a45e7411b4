import type { IdentityModel } from '@airlock/cloud-assembly';
import { describe, expect, it } from 'vitest';
import { noIamUsers } from '../../src/rules/no-iam-users.js';
import { env, surfaceOf } from './surface.js';

const at = { account: 'data', accountId: env.accounts.data, stack: 'airlock-example-data' } as const;
const user: IdentityModel = {
  ...at,
  logicalId: 'Ops',
  kind: 'user',
  name: 'ops',
  arn: `arn:aws:iam::${env.accounts.data}:user/ops`,
  permissions: [
    {
      name: 'inline',
      document: { Statement: [{ Effect: 'Allow', Action: 'dynamodb:Scan', Resource: '*' }] },
    },
  ],
  managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  groups: [],
};

describe('no-iam-users', () => {
  it('has nothing to say about a surface without users, access keys or memberships', () => {
    expect(noIamUsers.check(surfaceOf({}))).toEqual([]);
  });

  it('fails on an IAM user, saying what it can do', () => {
    expect(noIamUsers.check(surfaceOf({ identities: [user] }))).toEqual([
      {
        account: 'data',
        subject: 'IAM user ops',
        compliance: 'non-compliant',
        message:
          'is an IAM user (long-lived credentials), which the design has none of; it can dynamodb:Scan on *; everything managed policy arn:aws:iam::aws:policy/AdministratorAccess allows. Fix: remove airlock-example-data/Ops; use a role',
      },
    ]);
  });

  it('fails on an access key, and on a group membership of a user defined elsewhere', () => {
    const findings = noIamUsers.check(
      surfaceOf({
        accessKeys: [{ ...at, logicalId: 'Key', userName: 'someone' }],
        groupMemberships: [{ ...at, logicalId: 'Joins', groupName: 'admins', userNames: ['someone'] }],
      }),
    );
    expect(findings.map((f) => f.compliance === 'non-compliant' && `${f.subject}: ${f.message}`)).toEqual([
      'access key of someone: is a long-lived access key (airlock-example-data/Key). Fix: remove it; use a role',
      'IAM group admins: gains users someone (airlock-example-data/Joins), which the design has none of. Fix: remove it',
    ]);
  });
});
