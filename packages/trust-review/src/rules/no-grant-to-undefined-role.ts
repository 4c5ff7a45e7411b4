import { allowStatements, defineRule, verdictsFor } from './define-rule.js';
import { describeStatement } from '../describe-policy.js';

export const noGrantToUndefinedRole = defineRule({
  id: 'no-grant-to-undefined-role',
  invariant: 'I6, I9',
  explanation:
    "A policy a stack puts on a role it does not define (a CDK bootstrap role, another stack's role) grants through " +
    "a role whose trust and other policies the review cannot see: it may only deny (as the lookup role's run-data " +
    'Deny does), never allow.',
  check: (surface) =>
    surface.policiesOnOtherRoles
      .map((p) =>
        verdictsFor(
          { account: p.account, subject: `policy ${p.name} on ${p.roles.join(', ')}` },
          allowStatements(p.document.Statement).map(
            (st) =>
              `allows ${describeStatement(st)} to a role the templates do not define. Fix: grant it in the stack that ` +
              'defines the role, or make the statement a Deny',
          ),
        ),
      )
      .flat(),
});
