import { describe, expect, it } from 'vitest';
import { oneRolePerFunction } from '../../src/rules/one-role-per-function.js';
import { otherResource, surfaceOf } from './surface.js';

const fn = (logicalId: string, role: string) =>
  otherResource('data', 'AWS::Lambda::Function', logicalId, { Role: `arn:aws:iam::333333333333:role/${role}` });

describe('one-role-per-function', () => {
  it('is compliant when each function has its own role', () => {
    expect(
      oneRolePerFunction.check(surfaceOf({ otherResources: [fn('Prepare', 'prepare'), fn('Finalize', 'finalize')] })),
    ).toEqual([
      { account: 'data', subject: 'function Prepare', compliance: 'compliant' },
      { account: 'data', subject: 'function Finalize', compliance: 'compliant' },
    ]);
  });

  it("fails a second function that runs as another function's role", () => {
    const verdicts = oneRolePerFunction.check(
      surfaceOf({ otherResources: [fn('Prepare', 'prepare'), fn('Evil', 'prepare')] }),
    );
    expect(verdicts.filter((v) => v.compliance === 'non-compliant').map((v) => v.subject)).toEqual([
      'function Prepare',
      'function Evil',
    ]);
    expect(verdicts[1]).toMatchObject({
      message:
        'runs as arn:aws:iam::333333333333:role/prepare, which function Prepare (airlock-example-data) runs as too. Fix: give each function its own role',
    });
  });
});
