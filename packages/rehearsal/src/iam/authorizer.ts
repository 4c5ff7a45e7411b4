import {
  accountOfArn,
  simulateRequest,
  type PolicyDocument,
  type RoleModel,
  type TrustSurface,
} from '@airlock/cloud-assembly';

/** One authorization decision, kept for the summary (the cross-account hops) and for tests. */
export interface Decision {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
}

const RUN_OR_SUBMISSION_ID = /\b(?:run|sub)-\d+-\d+(?:-[a-z0-9]+)?\b/g;

function canonicalIds(text: string): string {
  const names = new Map<string, string>();
  return text.replace(RUN_OR_SUBMISSION_ID, (id) => {
    if (!names.has(id)) names.set(id, `{id${names.size}}`);
    return names.get(id) ?? id;
  });
}

export class AccessDenied extends Error {
  constructor(principal: string, action: string, resource: string) {
    super(`User: ${principal} is not authorized to perform: ${action} on resource: ${resource}`);
    this.name = 'AccessDenied';
  }
}

/**
 * Authorizes every request of the rehearsal against the synthesized policies with the IAM simulator (through
 * `simulateRequest`, which supplies `aws:PrincipalArn` and `aws:PrincipalAccount`); session policies are evaluated as a second, intersecting simulation (the simulator has no session-policy input yet).
 */
export class Authorizer {
  readonly decisions: Decision[] = [];
  private readonly roles: Map<string, RoleModel>;
  private readonly cache = new Map<string, Promise<boolean>>();

  constructor(surface: TrustSurface) {
    this.roles = new Map(surface.roles.map((r) => [r.arn, r]));
  }

  role(arn: string): RoleModel {
    const role = this.roles.get(arn);
    if (!role) throw new Error(`no role ${arn} in the synthesized templates`);
    return role;
  }

  /** `caller` (a role of the templates) assumes `target`, optionally with an ExternalId. Throws AccessDenied. */
  async assumeRole(callerArn: string, targetArn: string, externalId?: string): Promise<void> {
    const caller = this.role(callerArn);
    const target = this.role(targetArn);
    const allowed = await this.decide(
      callerArn,
      caller.permissions.map((p) => p.document),
      'sts:AssumeRole',
      targetArn,
      target.accountId,
      target.trust,
      externalId ? { 'sts:ExternalId': externalId } : {},
    );
    this.record(callerArn, 'sts:AssumeRole', targetArn, allowed);
  }

  /** A role (or a session of it, narrowed by `sessionPolicy`) performs `action` on `resource` in its own account. */
  async authorize(
    roleArn: string,
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
    sessionPolicy?: PolicyDocument,
  ): Promise<void> {
    const role = this.role(roleArn);
    const account = accountOfArn(resource) ?? role.accountId;
    let allowed = await this.decide(
      roleArn,
      role.permissions.map((p) => p.document),
      action,
      resource,
      account,
      undefined,
      context,
    );
    if (allowed && sessionPolicy)
      allowed = await this.decide(roleArn, [sessionPolicy], action, resource, account, undefined, context);
    this.record(roleArn, action, resource, allowed);
  }

  private record(principal: string, action: string, resource: string, allowed: boolean): void {
    this.decisions.push({ principal, action, resource, allowed });
    if (!allowed) throw new AccessDenied(principal, action, resource);
  }

  /**
   * Decisions are cached on the request with run and submission IDs renamed in order of appearance: the decision
   * for one run is the decision for every run, while a request mixing two runs' IDs stays a different question.
   */
  private decide(
    principal: string,
    identity: readonly PolicyDocument[],
    action: string,
    resource: string,
    resourceAccount: string,
    resourcePolicy: PolicyDocument | undefined,
    context: Record<string, string | string[]>,
  ): Promise<boolean> {
    const key = canonicalIds(JSON.stringify([principal, identity, action, resource, resourcePolicy, context]));
    let decision = this.cache.get(key);
    if (!decision) {
      decision = simulateRequest({
        principal,
        identityPolicies: identity,
        action,
        resource,
        resourceAccount,
        ...(resourcePolicy ? { resourcePolicy } : {}),
        context,
      }).then((result) => {
        if (result.kind === 'error')
          throw new Error(`IAM simulation rejected ${action} on ${resource}: ${result.errors.slice(0, 300)}`);
        return result.allowed;
      });
      this.cache.set(key, decision);
    }
    return decision;
  }
}
