import { describe, expect, it } from 'vitest';
import { noForeignAccountReference } from '../../src/rules/no-foreign-account-reference.js';
import { otherResource, surfaceOf } from './surface.js';

const ruleTargeting = (arn: string) =>
  surfaceOf({
    otherResources: [
      otherResource('data', 'AWS::Events::Rule', 'Rule', { Targets: [{ Arn: arn, Id: 'Target' }], State: 'ENABLED' }),
    ],
  });

describe('no-foreign-account-reference', () => {
  it('is compliant for a target in one of the three accounts', () => {
    expect(
      noForeignAccountReference.check(
        ruleTargeting('arn:aws:states:eu-west-1:333333333333:stateMachine:airlock-example-late-object-sweeper'),
      ),
    ).toEqual([{ account: 'data', subject: 'AWS::Events::Rule Rule', compliance: 'compliant' }]);
  });

  it('fails a target in another account, naming the property', () => {
    expect(
      noForeignAccountReference.check(ruleTargeting('arn:aws:events:eu-west-1:999999999999:event-bus/default')),
    ).toEqual([
      {
        account: 'data',
        subject: 'AWS::Events::Rule Rule',
        compliance: 'non-compliant',
        message:
          'Targets[0].Arn names arn:aws:events:eu-west-1:999999999999:event-bus/default, in account 999999999999, outside the three. Fix: remove it',
      },
    ]);
  });
});
