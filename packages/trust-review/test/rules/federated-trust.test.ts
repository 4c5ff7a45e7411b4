import { describe, expect, it } from 'vitest';
import { federatedTrust } from '../../src/rules/federated-trust.js';
import { deployRole, githubTrust } from './oidc.js';
import { role, surfaceOf, targetTrust } from './surface.js';

const SUB = 'token.actions.githubusercontent.com:sub';
const at = { account: 'sandbox', subject: 'role airlock-example-sandbox-deploy' };

describe('federated-trust', () => {
  it("is compliant for a deploy role trusting exactly its account's GitHub environment", () => {
    const surface = surfaceOf({
      roles: [deployRole('sandbox', 'repo:example-org/airlock:environment:example-sandbox')],
    });
    expect(federatedTrust.check(surface)).toEqual([{ ...at, compliance: 'compliant' }]);
  });

  it('does not apply to a role without a web identity', () => {
    expect(federatedTrust.check(surfaceOf({ roles: [role('data', 'target', [targetTrust])] }))).toEqual([
      { account: 'data', subject: 'role target', compliance: 'not-applicable' },
    ]);
  });

  it("fails for a deploy role trusting the environment shared by every account, not its account's own", () => {
    const surface = surfaceOf({ roles: [deployRole('sandbox', 'repo:example-org/airlock:environment:example')] });
    expect(federatedTrust.check(surface)).toEqual([
      {
        ...at,
        compliance: 'non-compliant',
        message: `${SUB} is "repo:example-org/airlock:environment:example", not StringEquals repo:example-org/airlock:environment:example-sandbox (the sandbox account's own deploy environment)`,
      },
    ]);
  });

  it('holds the broadening and drift roles each to their own environment, not the everyday deploy one', () => {
    const deploySubject = 'repo:example-org/airlock:environment:example-sandbox';
    const broadening = role('sandbox', 'airlock-example-sandbox-deploy-broadening', [
      githubTrust('sandbox', { StringEquals: { [SUB]: deploySubject } }),
    ]);
    const drift = role('sandbox', 'airlock-example-sandbox-drift', [
      githubTrust('sandbox', { StringEquals: { [SUB]: `${deploySubject}-drift` } }),
    ]);
    expect(federatedTrust.check(surfaceOf({ roles: [broadening, drift] }))).toEqual([
      {
        account: 'sandbox',
        subject: 'role airlock-example-sandbox-deploy-broadening',
        compliance: 'non-compliant',
        message: `${SUB} is "${deploySubject}", not StringEquals ${deploySubject}-broadening (the sandbox account's own reviewer-gated broadening environment)`,
      },
      { account: 'sandbox', subject: 'role airlock-example-sandbox-drift', compliance: 'compliant' },
    ]);
  });

  it('fails for a wildcard subject, whether tested with StringLike or (taken literally) with StringEquals', () => {
    const like = role('sandbox', 'airlock-example-sandbox-deploy', [
      githubTrust('sandbox', { StringLike: { [SUB]: 'repo:example-org/airlock:*' } }),
    ]);
    expect(federatedTrust.check(surfaceOf({ roles: [like] }))).toEqual([
      {
        ...at,
        compliance: 'non-compliant',
        message: `${SUB} is not tested with StringEquals: any repository's workflow could assume it`,
      },
      {
        ...at,
        compliance: 'non-compliant',
        message: 'StringLike on a GitHub token claim: only StringEquals is allowed',
      },
    ]);
    const equals = deployRole('sandbox', 'repo:example-org/airlock:environment:*');
    expect(federatedTrust.check(surfaceOf({ roles: [equals] }))).toEqual([
      {
        ...at,
        compliance: 'non-compliant',
        message: `${SUB} "repo:example-org/airlock:environment:*" contains a wildcard, which StringEquals takes literally`,
      },
    ]);
  });

  it('fails for a subject that is a list of values', () => {
    const subjects = ['repo:example-org/airlock:environment:example-sandbox', 'repo:example-org/airlock:environment:x'];
    const listed = role('sandbox', 'airlock-example-sandbox-deploy', [
      githubTrust('sandbox', { StringEquals: { [SUB]: subjects } }),
    ]);
    expect(federatedTrust.check(surfaceOf({ roles: [listed] }))).toEqual([
      {
        ...at,
        compliance: 'non-compliant',
        message: `${SUB} is StringEquals one of ${JSON.stringify(subjects)}: trust exactly one subject per role`,
      },
    ]);
  });

  it('fails for another identity provider, or an audience other than STS', () => {
    const trust = githubTrust('sandbox', {
      StringEquals: { [SUB]: 'repo:example-org/airlock:environment:example-sandbox' },
    });
    const foreign = role('sandbox', 'airlock-example-sandbox-deploy', [
      {
        ...trust,
        Principal: { Federated: 'arn:aws:iam::222222222222:oidc-provider/gitlab.com' },
        Condition: { StringEquals: { [SUB]: 'repo:example-org/airlock:environment:example-sandbox' } },
      },
    ]);
    expect(federatedTrust.check(surfaceOf({ roles: [foreign] }))).toEqual([
      {
        ...at,
        compliance: 'non-compliant',
        message: "trusts identity provider arn:aws:iam::222222222222:oidc-provider/gitlab.com, not GitHub's",
      },
      {
        ...at,
        compliance: 'non-compliant',
        message: 'token.actions.githubusercontent.com:aud is not StringEquals sts.amazonaws.com',
      },
    ]);
  });

  it('holds a canary role to the <env>-canary environment, never a deploy environment', () => {
    const canary = (sub: string) =>
      role('data', 'airlock-example-data-canary', [githubTrust('data', { StringEquals: { [SUB]: sub } })]);
    const subject = { account: 'data', subject: 'role airlock-example-data-canary' };
    expect(
      federatedTrust.check(surfaceOf({ roles: [canary('repo:example-org/airlock:environment:example-canary')] })),
    ).toEqual([{ ...subject, compliance: 'compliant' }]);
    expect(
      federatedTrust.check(surfaceOf({ roles: [canary('repo:example-org/airlock:environment:example-data')] })),
    ).toEqual([
      {
        ...subject,
        compliance: 'non-compliant',
        message: `${SUB} is "repo:example-org/airlock:environment:example-data", not StringEquals repo:example-org/airlock:environment:example-canary (the data account's own canary environment)`,
      },
    ]);
  });
});
