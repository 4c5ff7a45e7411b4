import { describePermissions } from '../describe-policy.js';
import { defineRule, verdictsFor } from './define-rule.js';

export const noIamUsers = defineRule({
  id: 'no-iam-users',
  invariant: 'I9',
  explanation:
    'The design has no IAM users: people and pipelines come in through roles (OIDC, SSO), so no credential lives ' +
    'longer than a session. Any IAM user, access key, or group membership added by a template is a finding, with ' +
    'what the user could do.',
  check: (surface) => [
    ...surface.identities
      .filter((i) => i.kind === 'user')
      .flatMap((user) => {
        const groups = surface.identities.filter((g) => g.kind === 'group' && user.groups.includes(g.name));
        const managedArns = [...user.managedPolicyArns, ...groups.flatMap((g) => g.managedPolicyArns)];
        // A customer managed policy of the templates is described by its statements; any other only by its ARN.
        const { partition } = surface.env;
        const documentOf = (arn: string) =>
          surface.managedPolicies.find((p) => `arn:${partition}:iam::${p.accountId}:policy/${p.name}` === arn)
            ?.document;
        const can = [
          ...describePermissions([
            ...[...user.permissions, ...groups.flatMap((g) => g.permissions)].map((p) => p.document),
            ...managedArns.flatMap((arn) => documentOf(arn) ?? []),
          ]),
          ...managedArns.filter((arn) => !documentOf(arn)).map((arn) => `everything managed policy ${arn} allows`),
        ];
        return verdictsFor({ account: user.account, subject: `IAM user ${user.name}` }, [
          `is an IAM user (long-lived credentials), which the design has none of; it can ${
            can.join('; ') || 'nothing yet'
          }${user.groups.length > 0 ? ` (groups ${user.groups.join(', ')})` : ''}. Fix: remove ${user.stack}/${user.logicalId}; use a role`,
        ]);
      }),
    ...surface.accessKeys.flatMap((key) =>
      verdictsFor({ account: key.account, subject: `access key of ${key.userName}` }, [
        `is a long-lived access key (${key.stack}/${key.logicalId}). Fix: remove it; use a role`,
      ]),
    ),
    ...surface.groupMemberships.flatMap((m) =>
      verdictsFor({ account: m.account, subject: `IAM group ${m.groupName}` }, [
        `gains users ${m.userNames.join(', ')} (${m.stack}/${m.logicalId}), which the design has none of. Fix: remove it`,
      ]),
    ),
  ],
});
