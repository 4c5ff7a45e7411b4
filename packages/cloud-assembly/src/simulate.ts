import type { Simulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument, Statement } from './policy-types.js';
import { accountOfArn, asList } from './policy-types.js';
import { rememberedSimulation } from './simulation-memo.js';

/** One request to evaluate against synthesized policies. */
export interface SimulationRequest {
  /** The caller as AWS sees it: a role ARN, or a session of one. */
  readonly principal: string;
  /** The role behind the caller (for a session, the role it belongs to); default `principal`. */
  readonly principalRoleArn?: string;
  readonly identityPolicies: readonly PolicyDocument[];
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly resourcePolicy?: PolicyDocument;
  /** The policy passed when the session was created (AssumeRole's `Policy`): it narrows the identity policies. */
  readonly sessionPolicy?: PolicyDocument;
  /** The policies of the VPC endpoints the request passes through: each must allow it too. */
  readonly endpointPolicies?: readonly PolicyDocument[];
  /** Request context keys (`sts:ExternalId`, `ecs:cluster`, ...). */
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** The caller's permissions boundary: identity policies grant only what it also allows. */
  readonly permissionsBoundary?: PolicyDocument;
  /** The organization's control policies: the caller's account's SCPs and the resource's account's RCPs apply. */
  readonly organization?: OrganizationPolicies;
}

/** The organization that holds the accounts, and the control policies attached to each member account. */
export interface OrganizationPolicies {
  readonly id: string;
  /** A caller of a member account carries `aws:PrincipalOrgID`; SCPs and RCPs apply only to member accounts. */
  readonly memberAccounts: readonly string[];
  /** By account ID, its SCPs (FullAWSAccess, which AWS attaches at every level, is added here). */
  readonly serviceControlPolicies: Readonly<Record<string, readonly PolicyDocument[]>>;
  /** By account ID, its RCPs (the simulator adds RCPFullAWSAccess itself). */
  readonly resourceControlPolicies: Readonly<Record<string, readonly PolicyDocument[]>>;
}

/**
 * Allows every action on every resource. Never deployed: it is AWS's own FullAWSAccess SCP, which AWS attaches at
 * every level of an organization, and the identity policy the review and the rehearsal give a hypothetical principal
 * allowed everything by its own account (an administrator, an attacker's own keys, a role given `*` by mistake), so
 * that only the policy under test (a trust, an endpoint, a guardrail, a bucket policy) can refuse the request.
 */
export const ALLOW_EVERYTHING: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
// An AWS service acting as itself (CloudTrail, log delivery), not a role.
const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/;
/** The keys AWS sets from the caller and the resource: a request's own context never supplies them. */
const DERIVED_KEYS = [
  'aws:PrincipalArn',
  'aws:PrincipalAccount',
  'aws:PrincipalOrgID',
  'aws:PrincipalIsAWSService',
  'aws:PrincipalServiceName',
  'aws:ResourceAccount',
];

/**
 * AWS takes `"*"`, `{"AWS": "*"}` or named principals in an endpoint policy; the simulator only `"*"`. A statement
 * naming roles is the same statement for any principal whose `aws:PrincipalArn` is one of them (every caller here
 * is a role or a session of one), so it is rewritten that way rather than dropped.
 */
function endpointPrincipalAsCondition(statement: Statement): Statement {
  const principal = statement.Principal;
  if (principal === undefined || principal === '*') return statement;
  const named = asList(principal.AWS).map(String);
  if (Object.keys(principal).some((k) => k !== 'AWS') || named.length === 0)
    throw new Error(`an endpoint policy statement names a non-AWS principal: ${JSON.stringify(principal)}`);
  if (named.includes('*')) return { ...statement, Principal: '*' };
  if (statement.Condition?.ArnEquals?.['aws:PrincipalArn'] !== undefined)
    throw new Error('an endpoint policy statement both names principals and conditions aws:PrincipalArn');
  return {
    ...statement,
    Principal: '*',
    Condition: {
      ...statement.Condition,
      ArnEquals: { ...statement.Condition?.ArnEquals, 'aws:PrincipalArn': named },
    },
  };
}

export type SimulationResult =
  { readonly kind: 'decided'; readonly allowed: boolean } | { readonly kind: 'error'; readonly errors: string };

/**
 * The one way tools ask the IAM simulator (@cloud-copilot/iam-simulate, AGPL: dev tooling only). The simulator
 * derives no global keys from the principal or the resource, so `aws:PrincipalArn`, `aws:PrincipalAccount`,
 * `aws:PrincipalOrgID`, `aws:PrincipalIsAWSService` and `aws:ResourceAccount` (which AWS sets on every request) are
 * always supplied here from the caller's role, its organization and the resource's account, replacing whatever the
 * request's own context says, so a request cannot forge them. Control policies apply as AWS applies them to member
 * accounts: SCPs to the caller (never to a service principal), RCPs to the resource.
 */
export async function simulateRequest(request: SimulationRequest): Promise<SimulationResult> {
  const roleArn = request.principalRoleArn ?? request.principal;
  const isService = SERVICE_PRINCIPAL.test(request.principal);
  const principalAccount = isService ? undefined : (accountOfArn(roleArn) ?? '');
  const organization = request.organization;
  const isMember = (account: string | undefined) =>
    account !== undefined && (organization?.memberAccounts.includes(account) ?? false);
  const context: Record<string, string | string[]> = { 'aws:SecureTransport': 'true', ...request.context };
  for (const key of DERIVED_KEYS) delete context[key];
  const derived: Record<string, string> = isService
    ? { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': request.principal }
    : {
        'aws:PrincipalArn': roleArn,
        'aws:PrincipalAccount': principalAccount ?? '',
        // Every other caller here is a role or a session of one.
        'aws:PrincipalIsAWSService': 'false',
        ...(organization && isMember(principalAccount) ? { 'aws:PrincipalOrgID': organization.id } : {}),
      };
  const scps =
    organization && principalAccount !== undefined && isMember(principalAccount)
      ? [
          { orgIdentifier: 'root', policies: [{ name: 'FullAWSAccess', policy: ALLOW_EVERYTHING }] },
          {
            orgIdentifier: principalAccount,
            policies: [ALLOW_EVERYTHING, ...(organization.serviceControlPolicies[principalAccount] ?? [])].map(
              (policy, i) => ({ name: i === 0 ? 'FullAWSAccess' : `scp-${i}`, policy }),
            ),
          },
        ]
      : [];
  const rcps =
    organization && isMember(request.resourceAccount)
      ? [
          {
            orgIdentifier: request.resourceAccount,
            policies: (organization.resourceControlPolicies[request.resourceAccount] ?? []).map((policy, i) => ({
              name: `rcp-${i}`,
              policy,
            })),
          },
        ]
      : [];
  const simulation = {
    request: {
      action: request.action,
      principal: request.principal,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: { ...context, ...derived, 'aws:ResourceAccount': request.resourceAccount },
    },
    identityPolicies: request.identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: scps,
    resourceControlPolicies: rcps,
    ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
    ...(request.sessionPolicy ? { sessionPolicy: request.sessionPolicy } : {}),
    ...(request.permissionsBoundary
      ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: request.permissionsBoundary }] }
      : {}),
    ...(request.endpointPolicies?.length
      ? {
          vpcEndpointPolicies: request.endpointPolicies.map((policy, i) => ({
            name: `endpoint-${i}`,
            policy: { ...policy, Statement: policy.Statement.map(endpointPrincipalAsCondition) },
          })),
        }
      : {}),
  } as Simulation;
  return rememberedSimulation(simulation);
}
