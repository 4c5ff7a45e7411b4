import { describe, expect, it } from 'vitest';
import { noAllowNotAction } from '../../src/rules/no-allow-not-action.js';
import { role, surfaceOf } from './surface.js';

const withPermission = (permission: object) =>
  surfaceOf({ roles: [role('orchestrator', 'orchestrator', [], [permission as never])] });

describe('no-allow-not-action', () => {
  it('is compliant for an Allow that lists its actions and resources, and for a Deny with NotAction', () => {
    expect(
      noAllowNotAction.check(
        surfaceOf({
          roles: [
            role(
              'orchestrator',
              'orchestrator',
              [],
              [
                {
                  Effect: 'Allow',
                  Action: 'states:StartExecution',
                  Resource: 'arn:aws:states:eu-west-1:1:stateMachine:x',
                },
                { Effect: 'Deny', NotAction: 'states:*', Resource: '*' },
              ],
            ),
          ],
        }),
      ),
    ).toEqual([{ account: 'orchestrator', subject: 'role orchestrator', compliance: 'compliant' }]);
  });

  it('fails an Allow with NotAction and one with NotResource', () => {
    expect(
      noAllowNotAction
        .check(withPermission({ Effect: 'Allow', NotAction: ['iam:*'], Resource: '*' }))
        .map((v) => v.compliance === 'non-compliant' && v.message),
    ).toEqual(['allows every action except ["iam:*"]. Fix: list the actions it needs']);
    expect(
      noAllowNotAction
        .check(withPermission({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::nothing' }))
        .map((v) => v.compliance === 'non-compliant' && v.message),
    ).toEqual(['allows on every resource except "arn:aws:s3:::nothing". Fix: list the resources it needs']);
  });
});
