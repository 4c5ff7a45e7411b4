import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from './policy-types.js';
import { accountOfArn } from './policy-types.js';

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
}

export type SimulationResult =
  { readonly kind: 'decided'; readonly allowed: boolean } | { readonly kind: 'error'; readonly errors: string };

/**
 * The one way tools ask the IAM simulator (@cloud-copilot/iam-simulate, AGPL: dev tooling only). The simulator
 * derives no global keys from the principal or the resource, so `aws:PrincipalArn`, `aws:PrincipalAccount`,
 * `aws:PrincipalIsAWSService` and `aws:ResourceAccount` (which AWS sets on every request) are always supplied here from the caller's role and the
 * resource's account, after the request's own context, so a request cannot forge them.
 */
export async function simulateRequest(request: SimulationRequest): Promise<SimulationResult> {
  const roleArn = request.principalRoleArn ?? request.principal;
  const simulation = {
    request: {
      action: request.action,
      principal: request.principal,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: {
        'aws:SecureTransport': 'true',
        ...request.context,
        'aws:PrincipalArn': roleArn,
        'aws:PrincipalAccount': accountOfArn(roleArn) ?? '',
        'aws:ResourceAccount': request.resourceAccount,
        // Every caller here is a role or a session of one; AWS sets true only for a service principal's own calls.
        'aws:PrincipalIsAWSService': 'false',
      },
    },
    identityPolicies: request.identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
    ...(request.sessionPolicy ? { sessionPolicy: request.sessionPolicy } : {}),
    ...(request.endpointPolicies?.length
      ? { vpcEndpointPolicies: request.endpointPolicies.map((policy, i) => ({ name: `endpoint-${i}`, policy })) }
      : {}),
  } as Simulation;
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') return { kind: 'error', errors: JSON.stringify(response.errors) };
  return { kind: 'decided', allowed: response.overallResult === 'Allowed' };
}
