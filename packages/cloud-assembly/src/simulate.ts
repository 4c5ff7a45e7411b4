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
  /** Request context keys (`sts:ExternalId`, `ecs:cluster`, ...). */
  readonly context?: Readonly<Record<string, string | string[]>>;
}

export type SimulationResult =
  { readonly kind: 'decided'; readonly allowed: boolean } | { readonly kind: 'error'; readonly errors: string };

/**
 * The one way tools ask the IAM simulator (@cloud-copilot/iam-simulate, AGPL: dev tooling only). The simulator
 * derives no global keys from the principal, so `aws:PrincipalArn` and `aws:PrincipalAccount` are always supplied
 * here from the caller's role, after the request's own context, so a request cannot forge them.
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
      },
    },
    identityPolicies: request.identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
  } as Simulation;
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') return { kind: 'error', errors: JSON.stringify(response.errors) };
  return { kind: 'decided', allowed: response.overallResult === 'Allowed' };
}
