import { asList, principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, defineRule, verdictsFor } from './define-rule.js';
import { roleSubject } from './subjects.js';

const ALLOWED = {
  AWS: ['sts:AssumeRole', 'sts:TagSession'],
  Service: ['sts:AssumeRole', 'sts:TagSession'],
  Federated: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
};

export const trustActions = defineRule({
  id: 'trust-actions',
  invariant: 'I1, I2',
  explanation:
    'A trust policy grants only role assumption (plus session tags) for its kind of principal, never another ' +
    'action, a wildcard or NotAction.',
  check: (surface) =>
    surface.roles.flatMap((role) =>
      verdictsFor(
        roleSubject(role),
        allowStatements(role.trust.Statement).flatMap((s) => {
          const allowed = [...new Set(principalsOf(s).map((p) => p.kind))].flatMap((k) => ALLOWED[k]);
          const extra = asList(s.Action).filter((a) => !allowed.includes(a));
          const notAction = s.NotAction !== undefined ? ['NotAction'] : [];
          return [...extra, ...notAction].map(
            (action) => `trust grants ${action}; only ${allowed.join(', ')} is allowed`,
          );
        }),
      ),
    ),
});
