import { principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, type TrustRule } from './finding.js';

/** I2 and confused-deputy protection: a service principal is bound by aws:SourceAccount and/or aws:SourceArn. */
export const servicePrincipalBinding: TrustRule = (surface) =>
  surface.roles.flatMap((role) =>
    allowStatements(role.trust.Statement)
      .filter((s) => principalsOf(s).some((p) => p.kind === 'Service'))
      .filter(
        (s) => !Object.values(s.Condition ?? {}).some((keys) => 'aws:SourceAccount' in keys || 'aws:SourceArn' in keys),
      )
      .map((s) => ({
        rule: 'service-principal-binding',
        account: role.account,
        subject: `role ${role.name}`,
        message: `trusts ${principalsOf(s)
          .map((p) => p.value)
          .join(', ')} without aws:SourceAccount or aws:SourceArn`,
      })),
  );
