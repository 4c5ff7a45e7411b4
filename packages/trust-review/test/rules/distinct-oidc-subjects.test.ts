import { describe, expect, it } from 'vitest';
import { distinctOidcSubjects } from '../../src/rules/distinct-oidc-subjects.js';
import { deployRole, githubTrust } from './oidc.js';
import { role, surfaceOf, targetTrust } from './surface.js';

const own = (account: 'orchestrator' | 'sandbox' | 'data') =>
  deployRole(account, `repo:example-org/airlock:environment:example-${account}`);

describe('distinct-oidc-subjects', () => {
  it('is compliant when each account’s deploy role trusts its own subject', () => {
    const surface = surfaceOf({
      roles: [own('orchestrator'), own('sandbox'), own('data'), role('data', 'target', [targetTrust])],
    });
    expect(distinctOidcSubjects.check(surface)).toEqual([
      { account: 'orchestrator', subject: 'role airlock-example-orchestrator-deploy', compliance: 'compliant' },
      { account: 'sandbox', subject: 'role airlock-example-sandbox-deploy', compliance: 'compliant' },
      { account: 'data', subject: 'role airlock-example-data-deploy', compliance: 'compliant' },
      { account: 'data', subject: 'role target', compliance: 'not-applicable' },
    ]);
  });

  it('fails for every deploy role that shares a subject with a deploy role of another account', () => {
    const shared = 'repo:example-org/airlock:environment:example';
    const surface = surfaceOf({
      roles: [deployRole('orchestrator', shared), own('sandbox'), deployRole('data', shared)],
    });
    const advice =
      'one workflow token deploys all of their accounts; give each account its own GitHub environment ' +
      '(repo:<owner/name>:environment:<env>-<account>) and trust only that one';
    expect(distinctOidcSubjects.check(surface)).toEqual([
      {
        account: 'orchestrator',
        subject: 'role airlock-example-orchestrator-deploy',
        compliance: 'non-compliant',
        message: `trusts GitHub subject ${shared}, which airlock-example-data-deploy also trusts: ${advice}`,
      },
      { account: 'sandbox', subject: 'role airlock-example-sandbox-deploy', compliance: 'compliant' },
      {
        account: 'data',
        subject: 'role airlock-example-data-deploy',
        compliance: 'non-compliant',
        message: `trusts GitHub subject ${shared}, which airlock-example-orchestrator-deploy also trusts: ${advice}`,
      },
    ]);
  });

  describe('the canary subject', () => {
    const canarySubject = 'repo:example-org/airlock:environment:example-canary';
    const canaryRole = (account: 'orchestrator' | 'data') =>
      role(account, `airlock-example-${account}-canary`, [
        githubTrust(account, { StringEquals: { 'token.actions.githubusercontent.com:sub': canarySubject } }),
      ]);

    it('is compliant when exactly the orchestrator and data canary roles share it (one job needs both)', () => {
      const surface = surfaceOf({ roles: [canaryRole('orchestrator'), canaryRole('data')] });
      expect(distinctOidcSubjects.check(surface).map((v) => v.compliance)).toEqual(['compliant', 'compliant']);
    });

    it('fails for every role when any other role (a deploy role) trusts it too', () => {
      const surface = surfaceOf({
        roles: [canaryRole('orchestrator'), canaryRole('data'), deployRole('sandbox', canarySubject)],
      });
      expect(distinctOidcSubjects.check(surface).map((v) => [v.subject, v.compliance])).toEqual([
        ['role airlock-example-orchestrator-canary', 'non-compliant'],
        ['role airlock-example-data-canary', 'non-compliant'],
        ['role airlock-example-sandbox-deploy', 'non-compliant'],
      ]);
    });

    it('fails when canary roles share a subject other than the canary environment’s', () => {
      const other = 'repo:example-org/airlock:environment:example-data';
      const surface = surfaceOf({
        roles: [
          role('orchestrator', 'airlock-example-orchestrator-canary', [
            githubTrust('orchestrator', { StringEquals: { 'token.actions.githubusercontent.com:sub': other } }),
          ]),
          role('data', 'airlock-example-data-canary', [
            githubTrust('data', { StringEquals: { 'token.actions.githubusercontent.com:sub': other } }),
          ]),
        ],
      });
      expect(distinctOidcSubjects.check(surface).map((v) => v.compliance)).toEqual(['non-compliant', 'non-compliant']);
    });
  });
});
