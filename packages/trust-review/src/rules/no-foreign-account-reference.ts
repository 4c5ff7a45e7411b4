import { accountOfArn } from '@airlock/cloud-assembly';
import { ACCOUNT_ROLES } from '@airlock/shared/environment';
import { defineRule, verdictsFor } from './define-rule.js';

/** Every string inside a value, with the property path that holds it. */
const stringsOf = (value: unknown, path: string): Array<[string, string]> => {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsOf(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => stringsOf(v, path ? `${path}.${k}` : k));
  return [];
};

export const noForeignAccountReference = defineRule({
  id: 'no-foreign-account-reference',
  invariant: 'I3',
  explanation:
    'No function, rule, bucket, log subscription or custom resource names a resource of an account outside the ' +
    'three: an event target, a subscription destination or a bucket notification there sends run data (object ' +
    "keys, log events) out of the system without any role's policy changing.",
  check: (surface) => {
    const ours = new Set(ACCOUNT_ROLES.map((a) => surface.env.accounts[a]));
    return surface.otherResources.flatMap((r) =>
      verdictsFor(
        { account: r.account, subject: `${r.type} ${r.logicalId}` },
        stringsOf(r.properties, '').flatMap(([path, value]) => {
          const account = /^arn:/.test(value) ? accountOfArn(value) : undefined;
          return account && !ours.has(account)
            ? [`${path} names ${value}, in account ${account}, outside the three. Fix: remove it`]
            : [];
        }),
      ),
    );
  },
});
