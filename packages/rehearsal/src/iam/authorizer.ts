import {
  accountOfArn,
  actionMatches,
  ALLOW_EVERYTHING,
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
  /** For a denial: the policy or deny statements that refused it, when the rehearsal can name them. */
  readonly refusedBy?: string;
}

const RUN_OR_SUBMISSION_ID = /\b(?:run|sub)-\d+-\d+(?:-[a-z0-9]+)?\b/g;

function canonicalIds(text: string): string {
  const names = new Map<string, string>();
  return text.replace(RUN_OR_SUBMISSION_ID, (id) => {
    if (!names.has(id)) names.set(id, `{id${names.size}}`);
    return names.get(id) ?? id;
  });
}

/** An account outside the three, standing for any attacker's; its role may do anything its own account allows. */
export const FOREIGN_PRINCIPAL = 'arn:aws:iam::444455556666:role/someone-else';

/** What a request passes besides the caller's own policies. */
export interface RequestPath {
  readonly sessionPolicy?: PolicyDocument | undefined;
  readonly resourcePolicy?: PolicyDocument | undefined;
  readonly endpointPolicies?: readonly PolicyDocument[] | undefined;
}

export class AccessDenied extends Error {
  constructor(principal: string, action: string, resource: string, refusedBy?: string) {
    super(
      `User: ${principal} is not authorized to perform: ${action} on resource: ${resource}` +
        (refusedBy ? ` (refused by ${refusedBy})` : ''),
    );
    this.name = 'AccessDenied';
  }
}

/**
 * Authorizes every request of the rehearsal against the synthesized policies with the IAM simulator (through
 * `simulateRequest`, which supplies `aws:PrincipalArn` and `aws:PrincipalAccount`), session, resource and VPC
 * endpoint policies included where the request has them.
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

  /**
   * A role (or a session of it, narrowed by `on.sessionPolicy`) performs `action` on `resource`, against the
   * resource's policy when it has one and through the VPC endpoints whose policies are given.
   */
  async authorize(
    roleArn: string,
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
    on: RequestPath = {},
  ): Promise<void> {
    const role = this.role(roleArn);
    const account = accountOfArn(resource) ?? role.accountId;
    const decide = (path: RequestPath) =>
      this.decide(
        roleArn,
        role.permissions.map((p) => p.document),
        action,
        resource,
        account,
        path.resourcePolicy,
        context,
        path.sessionPolicy,
        path.endpointPolicies,
      );
    const allowed = await decide(on);
    const refusedBy = allowed ? undefined : ((await refusingLayers(on, decide)) ?? explicitDeny(role, action));
    this.record(roleArn, action, resource, allowed, refusedBy);
  }

  /**
   * A principal of another account, holding every permission there (an attacker with credentials of their own),
   * performs `action` on `resource`, which belongs to `resourceAccount`, along `on`. Only what the path's policies
   * refuse stops it: the endpoint policy, and for the three accounts' resources their resource policies.
   */
  async authorizeForeign(
    action: string,
    resource: string,
    resourceAccount: string,
    context: Record<string, string | string[]>,
    on: Pick<RequestPath, 'resourcePolicy' | 'endpointPolicies'>,
  ): Promise<void> {
    const decide = (path: RequestPath) =>
      this.decide(
        FOREIGN_PRINCIPAL,
        [ALLOW_EVERYTHING],
        action,
        resource,
        resourceAccount,
        path.resourcePolicy,
        context,
        undefined,
        path.endpointPolicies,
      );
    const allowed = await decide(on);
    const refusedBy = allowed ? undefined : await refusingLayers(on, decide);
    this.record(FOREIGN_PRINCIPAL, action, resource, allowed, refusedBy);
  }

  /**
   * A role (or a session of it) uses a KMS key through S3: S3 calls KMS on the caller's behalf (`kms:Decrypt` for a
   * read, `kms:GenerateDataKey` for a write), so the caller's policies and the key policy must both allow it (a key
   * policy that names the account delegates to IAM; one that does not, refuses everyone else). A denial says whether
   * the key policy refused it, which is the case when a key policy delegating to the account would have allowed it.
   */
  async authorizeKeyUse(
    roleArn: string,
    action: string,
    keyArn: string,
    keyPolicy: PolicyDocument,
    context: Record<string, string>,
    sessionPolicy?: PolicyDocument,
  ): Promise<void> {
    const role = this.role(roleArn);
    const account = accountOfArn(keyArn) ?? role.accountId;
    const decide = (policy: PolicyDocument, session?: PolicyDocument) =>
      this.decide(
        roleArn,
        role.permissions.map((p) => p.document),
        action,
        keyArn,
        account,
        policy,
        context,
        session,
      );
    const allowed = await decide(keyPolicy, sessionPolicy);
    let refusedBy: string | undefined;
    if (!allowed) {
      const delegating: PolicyDocument = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:${keyArn.split(':')[1] ?? 'aws'}:iam::${account}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      };
      refusedBy = (await decide(delegating, sessionPolicy))
        ? 'the KMS key policy'
        : sessionPolicy && (await decide(delegating))
          ? 'the session policy'
          : explicitDeny(role, action);
    }
    this.record(roleArn, action, keyArn, allowed, refusedBy);
  }

  private record(principal: string, action: string, resource: string, allowed: boolean, refusedBy?: string): void {
    this.decisions.push({ principal, action, resource, allowed, ...(!allowed && refusedBy ? { refusedBy } : {}) });
    if (!allowed) throw new AccessDenied(principal, action, resource, refusedBy);
  }

  /**
   * Decisions are cached on every input of the request with run and submission IDs renamed in order of appearance:
   * the decision for one run is the decision for every run, while a request mixing two runs' IDs stays a different
   * question.
   */
  private decide(
    principal: string,
    identity: readonly PolicyDocument[],
    action: string,
    resource: string,
    resourceAccount: string,
    resourcePolicy: PolicyDocument | undefined,
    context: Record<string, string | string[]>,
    sessionPolicy?: PolicyDocument,
    endpointPolicies?: readonly PolicyDocument[],
  ): Promise<boolean> {
    const key = canonicalIds(
      JSON.stringify([
        principal,
        identity,
        action,
        resource,
        resourceAccount,
        resourcePolicy,
        context,
        sessionPolicy,
        endpointPolicies,
      ]),
    );
    let decision = this.cache.get(key);
    if (!decision) {
      decision = simulateRequest({
        principal,
        identityPolicies: identity,
        action,
        resource,
        resourceAccount,
        ...(resourcePolicy ? { resourcePolicy } : {}),
        ...(sessionPolicy ? { sessionPolicy } : {}),
        ...(endpointPolicies ? { endpointPolicies } : {}),
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
 * Which of the request's policies refused it, found by asking again with the caller's own policies and each other
 * policy alone: a denial then says "refused by the resource-based policy and the session policy", where AWS's
 * message names at most the kind of policy.
 */
async function refusingLayers(
  on: RequestPath,
  decide: (path: RequestPath) => Promise<boolean>,
): Promise<string | undefined> {
  if (!(await decide({}))) return undefined;
  const layers = [
    ['sessionPolicy', 'the session policy'],
    ['resourcePolicy', 'the resource-based policy'],
    ['endpointPolicies', 'the policy of the VPC endpoint it came through'],
  ] as const;
  const refusing: string[] = [];
  for (const [layer, name] of layers)
    if (on[layer] !== undefined && !(await decide({ [layer]: on[layer] }))) refusing.push(name);
  return refusing.length > 0 ? refusing.join(' and ') : undefined;
}

/**
 * Names the role's unconditional Deny statements on `action` for every resource, so a denial says which deny applied.
 * The rehearsal's addition: AWS's message says only "with an explicit deny in an identity-based policy".
 */
function explicitDeny(role: RoleModel, action: string): string | undefined {
  const found = role.permissions.flatMap((p) =>
    // Only a Deny that certainly applies: on every resource, without conditions.
    p.document.Statement.filter((s) => s.Effect === 'Deny' && s.Resource === '*' && !s.Condition)
      .filter((s) => [s.Action ?? []].flat().some((pattern) => actionMatches(String(pattern), action)))
      .map((s) => `statement ${s.Sid ?? '(no Sid)'} of policy ${p.name}`),
  );
  return found.length > 0 ? found.join(', ') : undefined;
}
