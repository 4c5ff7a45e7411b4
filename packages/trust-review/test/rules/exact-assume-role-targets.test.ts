import { describe, expect, it } from 'vitest';
import { exactAssumeRoleTargets } from '../../src/rules/exact-assume-role-targets.js';
import { role, statesTrust, surfaceOf } from './surface.js';

const orchestrator = (resource: string, action = 'sts:AssumeRole') =>
  surfaceOf({
    roles: [role('orchestrator', 'exec', [statesTrust], [{ Effect: 'Allow', Action: action, Resource: resource }])],
  });

describe('exact-assume-role-targets', () => {
  it('is compliant for sts:AssumeRole on an exact role ARN', () => {
    expect(
      exactAssumeRoleTargets.check(orchestrator('arn:aws:iam::222222222222:role/airlock-example-sandbox-launcher')),
    ).toEqual([{ account: 'orchestrator', subject: 'role exec', compliance: 'compliant' }]);
  });

  it('fails for sts:AssumeRole on a role pattern, also when granted through sts:Assume*', () => {
    expect(exactAssumeRoleTargets.check(orchestrator('arn:aws:iam::222222222222:role/*', 'sts:Assume*'))).toEqual([
      {
        account: 'orchestrator',
        subject: 'role exec',
        compliance: 'non-compliant',
        message: 'may sts:AssumeRole on arn:aws:iam::222222222222:role/*',
      },
    ]);
  });
});
