import { dataBucketArn } from '@airlock/contracts';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, EXIT } from '../src/review.js';
import { whoCan } from '../src/who-can.js';
import { env, scratch, type Template } from './scratch-workspace.js';

// An IAM user the design does not have, added to a copy of the synthesized data template the ways CloudFormation
// allows: a user, a group it joins, a managed policy attached to the group, and an access key.
const runObjects = `${dataBucketArn(env)}/runs/*`;
const readRuns = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: runObjects }],
};
const addUser = (t: Template) => {
  t.Resources.Intruder = { Type: 'AWS::IAM::User', Properties: { UserName: 'intruder' } };
  t.Resources.Readers = { Type: 'AWS::IAM::Group', Properties: { GroupName: 'readers' } };
  t.Resources.Joins = {
    Type: 'AWS::IAM::UserToGroupAddition',
    Properties: { GroupName: { Ref: 'Readers' }, Users: [{ Ref: 'Intruder' }] },
  };
  t.Resources.ReadRuns = {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: { ManagedPolicyName: 'read-runs', PolicyDocument: readRuns, Groups: [{ Ref: 'Readers' }] },
  };
  t.Resources.IntruderKey = { Type: 'AWS::IAM::AccessKey', Properties: { UserName: { Ref: 'Intruder' } } };
};

describe('IAM users, groups and access keys in a template', () => {
  it('model the user with its group and the managed policy attached to the group', () => {
    const ws = scratch();
    ws.edit('data', addUser);
    const surface = ws.surface();
    expect(surface.identities.find((i) => i.name === 'intruder')).toEqual(
      expect.objectContaining({
        kind: 'user',
        arn: `arn:aws:iam::${env.accounts.data}:user/intruder`,
        groups: ['readers'],
      }),
    );
    expect(surface.identities.find((i) => i.name === 'readers')?.managedPolicyArns).toEqual([
      `arn:aws:iam::${env.accounts.data}:policy/read-runs`,
    ]);
    expect(surface.accessKeys.map((k) => k.userName)).toEqual(['intruder']);
  });

  it('fail the review, naming the user, its reach to the data bucket, the access key and the membership', async () => {
    const ws = scratch();
    ws.edit('data', addUser);
    const result = await ws.run();
    expect(exitCodeOf(result)).toBe(EXIT.FINDINGS);
    const messages = result.findings.map((f) => `${f.rule}: (${f.account}) ${f.subject}: ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        `no-iam-users: (data) IAM user intruder: is an IAM user (long-lived credentials), which the design has none of; it can s3:GetObject on ${runObjects} (groups readers). Fix: remove airlock-example-data/Intruder; use a role`,
        'no-iam-users: (data) access key of intruder: is a long-lived access key (airlock-example-data/IntruderKey). Fix: remove it; use a role',
        'no-iam-users: (data) IAM group readers: gains users intruder (airlock-example-data/Joins), which the design has none of. Fix: remove it',
      ]),
    );
  });

  it('change the baseline: the user, its group, its key and what the group may do are drift, in words', async () => {
    const ws = scratch();
    ws.edit('data', addUser);
    const { drift } = await ws.run();
    expect(drift).toEqual(
      expect.arrayContaining([
        'IAM identity data/user/intruder was added',
        'IAM identity data/user/intruder: + access key IntruderKey',
        'IAM identity data/user/intruder: + member of group readers',
        'IAM identity data/group/readers was added',
        'IAM identity data/group/readers: + gains user intruder (Joins)',
        'IAM identity data/group/readers: + managed policy: arn:aws:iam::{data}:policy/read-runs',
      ]),
    );
  });

  it('are answered by who-can: the user reads run objects through its group’s managed policy', async () => {
    const ws = scratch();
    ws.edit('data', addUser);
    const answer = await whoCan(ws.surface(), 's3:GetObject', runObjects);
    expect(answer.reachers.map((r) => r.principal)).toContain(`arn:aws:iam::${env.accounts.data}:user/intruder`);
    const before = await whoCan(scratch().surface(), 's3:GetObject', runObjects);
    expect(before.reachers.map((r) => r.principal)).not.toContain(`arn:aws:iam::${env.accounts.data}:user/intruder`);
  });

  it('count a managed policy or RolePolicy that attaches itself to an existing role among the role’s permissions', () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      t.Resources.ReadRuns = {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          ManagedPolicyName: 'read-runs',
          PolicyDocument: readRuns,
          Roles: ['airlock-example-data-invoker'],
        },
      };
      t.Resources.AlsoReadRuns = {
        Type: 'AWS::IAM::RolePolicy',
        Properties: { PolicyName: 'also', PolicyDocument: readRuns, RoleName: 'airlock-example-data-invoker' },
      };
    });
    const invoker = ws.surface().roles.find((r) => r.name === 'airlock-example-data-invoker')!;
    expect(invoker.managedPolicyArns).toContain(`arn:aws:iam::${env.accounts.data}:policy/read-runs`);
    expect(invoker.permissions).toContainEqual({ name: 'also', document: readRuns });
  });
});
