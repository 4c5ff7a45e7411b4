import {
  CANARY_ROLE_NAMES,
  githubCanaryEnvironment,
  broadeningDeployRoleName,
  deployRoleName,
  driftRoleName,
  githubBroadeningEnvironment,
  githubDeployEnvironment,
  githubDriftEnvironment,
  githubOidcSubject,
} from '@airlock/contracts';
import { ACCOUNT_ROLES, type AccountRole, type AirlockEnvironment } from '@airlock/shared/environment';
import { asList, principalsOf, type Statement } from '@airlock/cloud-assembly';
import type { RoleModel, TrustSurface } from '@airlock/cloud-assembly';
import { defineRule, notApplicable, verdictsFor } from './define-rule.js';
import { AUD, federatedStatements, GITHUB_OIDC_HOST, SUB } from './github-oidc.js';
import { roleSubject } from './subjects.js';

type Naming = (env: AirlockEnvironment, account: AccountRole) => string;
/**
 * Each role of an account's deploy access and the one GitHub environment whose token alone may assume it: a token for
 * one account's (or one purpose's) environment cannot act for another.
 */
const PIPELINE_ROLES: ReadonlyArray<{ role: Naming; environment: Naming; what: string }> = [
  { role: deployRoleName, environment: githubDeployEnvironment, what: 'deploy' },
  { role: broadeningDeployRoleName, environment: githubBroadeningEnvironment, what: 'reviewer-gated broadening' },
  { role: driftRoleName, environment: githubDriftEnvironment, what: 'drift' },
  // The sandbox has no canary role: no name matches there.
  {
    role: (env, account) => (account === 'sandbox' ? '' : CANARY_ROLE_NAMES[account](env)),
    environment: (env) => githubCanaryEnvironment(env),
    what: 'canary',
  },
];

/** What a role's `sub` must be: its own environment for a pipeline role, else one of the repository's. */
function subjectProblem(
  surface: TrustSurface,
  role: RoleModel,
  sub: string | string[] | undefined,
): string | undefined {
  if (sub === undefined) return `${SUB} is not tested with StringEquals: any repository's workflow could assume it`;
  if (Array.isArray(sub))
    return `${SUB} is StringEquals one of ${JSON.stringify(sub)}: trust exactly one subject per role`;
  if (/[*?]/.test(sub)) return `${SUB} ${JSON.stringify(sub)} contains a wildcard, which StringEquals takes literally`;
  const repository = surface.env.github?.repository ?? '<github.repository unset>';
  for (const account of ACCOUNT_ROLES) {
    const pipeline = PIPELINE_ROLES.find((p) => p.role(surface.env, account) === role.name);
    if (pipeline === undefined) continue;
    const expected = githubOidcSubject(repository, pipeline.environment(surface.env, account));
    return sub === expected
      ? undefined
      : `${SUB} is ${JSON.stringify(sub)}, not StringEquals ${expected} (the ${account} account's own ${pipeline.what} environment)`;
  }
  const repositoryEnvironments = githubOidcSubject(repository, '');
  return sub.startsWith(repositoryEnvironments)
    ? undefined
    : `${SUB} is ${JSON.stringify(sub)}, not a GitHub environment of this repository (${repositoryEnvironments}…)`;
}

function problemsOf(surface: TrustSurface, role: RoleModel, s: Statement): string[] {
  const equals = s.Condition?.StringEquals ?? {};
  return [
    ...principalsOf(s)
      .filter((p) => p.kind === 'Federated' && !p.value.endsWith(`:oidc-provider/${GITHUB_OIDC_HOST}`))
      .map((p) => `trusts identity provider ${p.value}, not GitHub's`),
    ...(asList(equals[AUD]).join() === 'sts.amazonaws.com' ? [] : [`${AUD} is not StringEquals sts.amazonaws.com`]),
    ...[subjectProblem(surface, role, equals[SUB])].filter((p): p is string => p !== undefined),
    ...Object.entries(s.Condition ?? {})
      .filter(([op, keys]) => op !== 'StringEquals' && Object.keys(keys).some((k) => k.startsWith(GITHUB_OIDC_HOST)))
      .map(([op]) => `${op} on a GitHub token claim: only StringEquals is allowed`),
  ];
}

export const federatedTrust = defineRule({
  id: 'federated-trust',
  invariant: 'I9',
  explanation:
    "A role trusted by a web identity trusts GitHub's OIDC provider only, with audience sts.amazonaws.com and " +
    "one exact subject (StringEquals, no wildcard); an account's deploy, broadening and drift roles each trust " +
    'their own GitHub environment `repo:<owner/name>:environment:<env>-<account>[-broadening|-drift]`, and the ' +
    'canary roles the `<env>-canary` environment.',
  check: (surface) =>
    surface.roles.flatMap((role) => {
      const statements = federatedStatements(role.trust.Statement);
      if (statements.length === 0) return [notApplicable(roleSubject(role))];
      return verdictsFor(
        roleSubject(role),
        statements.flatMap((s) => problemsOf(surface, role, s)),
      );
    }),
});
