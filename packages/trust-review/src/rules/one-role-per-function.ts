import { defineRule, verdictsFor } from './define-rule.js';

export const oneRolePerFunction = defineRule({
  id: 'one-role-per-function',
  invariant: 'I2',
  explanation:
    "Each Lambda function runs as a role of its own: a second function given an existing step's role (the URL " +
    "signer's, prepare's) runs new code with that step's access, and the role's own policies, which the baseline " +
    'reviews, do not change.',
  check: (surface) => {
    const functions = surface.otherResources.filter((r) => r.type === 'AWS::Lambda::Function');
    return functions.flatMap((f) =>
      verdictsFor(
        { account: f.account, subject: `function ${f.logicalId}` },
        functions
          .filter((other) => other !== f && other.account === f.account && other.properties.Role === f.properties.Role)
          .map(
            (other) =>
              `runs as ${String(f.properties.Role)}, which function ${other.logicalId} (${other.stack}) runs as too. Fix: give each function its own role`,
          ),
      ),
    );
  },
});
