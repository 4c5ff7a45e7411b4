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
  /** For a denial: the deny statements that applied, when the rehearsal can name them. */
  readonly explicitDeny?: string;
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
  constructor(principal: string, action: string, resource: string, explicitDeny?: string) {
    super(
      `User: ${principal} is not authorized to perform: ${action} on resource: ${resource}` +
        (explicitDeny ? ` with an explicit deny in an identity-based policy (${explicitDeny})` : ''),
    );
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

  /**
   * PutRolePolicy: adds (or replaces) an inline policy on a role, effective for every later decision, as IAM applies
   * it within seconds (the kill switch).
   */
  putRolePolicy(roleArn: string, name: string, document: PolicyDocument): void {
    const role = this.role(roleArn);
    this.roles.set(roleArn, {
      ...role,
      permissions: [...role.permissions.filter((p) => p.name !== name), { name, document }],
    });
    this.cache.clear();
  }

  /** DeleteRolePolicy: removes an inline policy from a role, for every later decision. */
  deleteRolePolicy(roleArn: string, name: string): void {
    const role = this.role(roleArn);
    this.roles.set(roleArn, { ...role, permissions: role.permissions.filter((p) => p.name !== name) });
    this.cache.clear();
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
    this.record(callerArn, 'sts:AssumeRole', targetArn, allowed, explicitDeny(caller, 'sts:AssumeRole'));
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
    this.record(roleArn, action, resource, allowed, explicitDeny(role, action));
  }

  private record(principal: string, action: string, resource: string, allowed: boolean, deny?: string): void {
    this.decisions.push({ principal, action, resource, allowed, ...(!allowed && deny ? { explicitDeny: deny } : {}) });
    if (!allowed) throw new AccessDenied(principal, action, resource, deny);
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

/**
 * Names the role's unconditional Deny statements on `action` for every resource (`statement <Sid> of policy <name>`), so a denial says which deny
 * applied. The rehearsal's addition: AWS's message says only "with an explicit deny in an identity-based policy".
 */
function explicitDeny(role: RoleModel, action: string): string | undefined {
  const found = role.permissions.flatMap((p) =>
    // Only a Deny that certainly applies: on every resource, without conditions.
    p.document.Statement.filter((s) => s.Effect === 'Deny' && s.Resource === '*' && !s.Condition)
      .filter((s) => [s.Action ?? []].flat().some((pattern) => globMatches(String(pattern), action)))
      .map((s) => `statement ${s.Sid ?? '(no Sid)'} of policy ${p.name}`),
  );
  return found.length > 0 ? found.join(', ') : undefined;
}

const globMatches = (pattern: string, action: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  ).test(action);
