import type { AccountRole } from '@airlock/shared/environment';
import type { Statement } from '@airlock/cloud-assembly';
import { env, role } from './surface.js';

/** A GitHub deploy-role trust with the given `sub` condition (operator and value). */
export const githubTrust = (
  account: AccountRole,
  subCondition: Record<string, Record<string, string | string[]>>,
): Statement => ({
  Effect: 'Allow',
  Principal: { Federated: `arn:aws:iam::${env.accounts[account]}:oidc-provider/token.actions.githubusercontent.com` },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: {
    ...subCondition,
    StringEquals: {
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      ...(subCondition.StringEquals ?? {}),
    },
  },
});

export const deployRole = (account: AccountRole, sub: string) =>
  role(account, `airlock-example-${account}-deploy`, [
    githubTrust(account, { StringEquals: { 'token.actions.githubusercontent.com:sub': sub } }),
  ]);
