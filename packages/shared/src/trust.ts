import * as iam from 'aws-cdk-lib/aws-iam';
import {
  accountRootArn,
  analysisStateMachineArn,
  githubCanaryEnvironment,
  githubOidcProviderArn,
  githubOidcSubject,
  orchestratorRoleArn,
  type Env,
} from '@airlock/contracts';

/**
 * Trust of a cross-account target role (sandbox launcher, data invoker): only the orchestrator execution role,
 * and only while it runs the analysis state machine (`sts:ExternalId` = that state machine's ARN).
 *
 * The principal is the orchestrator account root narrowed by `ArnEquals aws:PrincipalArn`, not the role ARN itself:
 * a role-ARN principal must exist when the policy is saved and silently breaks if the role is recreated, which
 * would force a deploy order between the account pipelines.
 */
export function crossAccountTrust(env: Env): iam.IPrincipal {
  return new iam.ArnPrincipal(accountRootArn(env, env.accounts.orchestrator)).withConditions({
    ArnEquals: { 'aws:PrincipalArn': orchestratorRoleArn(env) },
    StringEquals: { 'sts:ExternalId': analysisStateMachineArn(env) },
  });
}

/**
 * Trust of the orchestrator execution role: Step Functions, and only on behalf of the analysis state machine in the
 * orchestrator account (confused-deputy protection; CDK does not add these conditions itself).
 */
export function stepFunctionsServiceTrust(env: Env): iam.IPrincipal {
  return new iam.ServicePrincipal('states.amazonaws.com').withConditions({
    StringEquals: { 'aws:SourceAccount': env.accounts.orchestrator },
    ArnEquals: { 'aws:SourceArn': analysisStateMachineArn(env) },
  });
}

/**
 * Trust of a canary role: only GitHub workflows of `repository` in the `<env>-canary` GitHub environment, through the
 * account's own OIDC provider (its deploy-access stack creates it). No deploy role's subject: a stolen deploy session
 * cannot run canaries, and a stolen canary session cannot deploy.
 */
export function githubCanaryTrust(env: Env, account: keyof Env['accounts'], repository: string): iam.IPrincipal {
  return new iam.WebIdentityPrincipal(githubOidcProviderArn(env, account), {
    StringEquals: {
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': githubOidcSubject(repository, githubCanaryEnvironment(env)),
    },
  });
}
