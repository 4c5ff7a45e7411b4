import { defineRule, verdictsFor } from './define-rule.js';

export const noFunctionUrl = defineRule({
  id: 'no-function-url',
  invariant: 'I3',
  explanation:
    'No Lambda function has a function URL, nor a permission for one: a URL is an HTTPS way in that skips the ' +
    'workflows, their roles and the URL perimeter (with auth type NONE, anyone on the internet calls the function ' +
    'as its role).',
  check: (surface) =>
    surface.otherResources
      .filter((r) => r.type === 'AWS::Lambda::Url' || r.type === 'AWS::Lambda::Permission')
      .flatMap((r) =>
        verdictsFor(
          { account: r.account, subject: `${r.type} ${r.logicalId}` },
          r.type === 'AWS::Lambda::Url'
            ? [
                `gives ${String(r.properties.TargetFunctionArn)} a function URL (auth ${String(r.properties.AuthType)}). Fix: remove it`,
              ]
            : r.properties.FunctionUrlAuthType !== undefined || r.properties.Action === 'lambda:InvokeFunctionUrl'
              ? [
                  `lets ${String(r.properties.Principal)} call ${String(r.properties.FunctionName)} by its URL. Fix: remove it`,
                ]
              : [],
        ),
      ),
});
