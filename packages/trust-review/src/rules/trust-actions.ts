import { asList, principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, type TrustRule } from './finding.js';

const ALLOWED = {
  AWS: ['sts:AssumeRole', 'sts:TagSession'],
  Service: ['sts:AssumeRole', 'sts:TagSession'],
  Federated: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
};

/** A trust policy grants only role assumption (plus session tags), never anything else or a wildcard. */
export const trustActions: TrustRule = (surface) =>
  surface.roles.flatMap((role) =>
    allowStatements(role.trust.Statement).flatMap((s) => {
      const kinds = new Set(principalsOf(s).map((p) => p.kind));
      const allowed = [...kinds].flatMap((k) => ALLOWED[k]);
      const extra = asList(s.Action).filter((a) => !allowed.includes(a));
      const notAction = s.NotAction !== undefined ? ['NotAction'] : [];
      return [...extra, ...notAction].map((action) => ({
        rule: 'trust-actions',
        account: role.account,
        subject: `role ${role.name}`,
        message: `trust grants ${action}; only ${allowed.join(', ')} is allowed`,
      }));
    }),
  );
