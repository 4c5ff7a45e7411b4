import { principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, defineRule, notApplicable, verdictsFor } from './define-rule.js';
import { serviceBindingProblem } from './service-binding.js';
import { roleSubject } from './subjects.js';

export const servicePrincipalBinding = defineRule({
  id: 'service-principal-binding',
  invariant: 'I2 (confused deputy)',
  explanation:
    "A role trusted by an AWS service principal is bound by aws:SourceAccount and/or aws:SourceArn naming the role's " +
    'own account or its resources, so the ' +
    'service cannot be made to assume it on behalf of another account or resource.',
  check: (surface) =>
    surface.roles.flatMap((role) => {
      const serviceTrusts = allowStatements(role.trust.Statement).filter((s) =>
        principalsOf(s).some((p) => p.kind === 'Service'),
      );
      if (serviceTrusts.length === 0) return [notApplicable(roleSubject(role))];
      return verdictsFor(
        roleSubject(role),
        serviceTrusts.flatMap((s) => {
          const problem = serviceBindingProblem(s, role.accountId);
          return problem === undefined
            ? []
            : [
                `trusts ${principalsOf(s)
                  .map((p) => p.value)
                  .join(', ')} ${problem}`,
              ];
        }),
      );
    }),
});
