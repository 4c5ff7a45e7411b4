import { describe, expect, it } from 'vitest';
import { noFunctionUrl } from '../../src/rules/no-function-url.js';
import { otherResource, surfaceOf } from './surface.js';

const FUNCTION = 'arn:aws:lambda:eu-west-1:333333333333:function:prepare';

describe('no-function-url', () => {
  it('is compliant for a permission to invoke the function (no URL)', () => {
    const surface = surfaceOf({
      otherResources: [
        otherResource('data', 'AWS::Lambda::Permission', 'Invoke', {
          Action: 'lambda:InvokeFunction',
          FunctionName: FUNCTION,
          Principal: 'states.amazonaws.com',
        }),
      ],
    });
    expect(noFunctionUrl.check(surface)).toEqual([
      { account: 'data', subject: 'AWS::Lambda::Permission Invoke', compliance: 'compliant' },
    ]);
  });

  it('fails a function URL and a permission to call one', () => {
    const surface = surfaceOf({
      otherResources: [
        otherResource('data', 'AWS::Lambda::Url', 'Url', { AuthType: 'NONE', TargetFunctionArn: FUNCTION }),
        otherResource('data', 'AWS::Lambda::Permission', 'Public', {
          Action: 'lambda:InvokeFunctionUrl',
          FunctionName: FUNCTION,
          FunctionUrlAuthType: 'NONE',
          Principal: '*',
        }),
      ],
    });
    expect(noFunctionUrl.check(surface).map((v) => v.compliance === 'non-compliant' && v.message)).toEqual([
      `gives ${FUNCTION} a function URL (auth NONE). Fix: remove it`,
      `lets * call ${FUNCTION} by its URL. Fix: remove it`,
    ]);
  });
});
