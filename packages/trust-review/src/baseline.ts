import { resourceName } from '@airlock/contracts';
import { accountOfArn, asList, principalsOf, type Statement } from '@airlock/cloud-assembly';
import { describeStatement, describeTrust } from './describe-policy.js';
import { networkResourceLines, stateMachineLines, taskDefinitionLines } from './surface-lines.js';
import type { TrustSurface } from '@airlock/cloud-assembly';
import type { Guardrail } from '@airlock/shared/organization-guardrails';

/**
 * The reviewed trust surface: what a reviewer signs when the baseline file changes in a pull request. It holds the
 * normalized policies themselves, so the pull request's diff of this file shows each statement that changed.
 */
export interface Baseline {
  readonly roles: ReadonlyArray<{
    readonly role: string;
    readonly usedBy: string;
    readonly trust: readonly Statement[];
    /** Every statement of the role's inline and attached customer policies, sorted. */
    readonly permissions: readonly Statement[];
    readonly managedPolicyArns: readonly string[];
    /** The role's permissions boundary ARN, or "none": losing it lifts the ceiling over everything the role may do. */
    readonly permissionsBoundary?: string;
  }>;
  readonly crossAccountEdges: ReadonlyArray<{
    readonly from: string;
    readonly to: string;
    readonly conditions: unknown;
  }>;
  /** Customer managed policies: a role attaches them by name, so their statements are reviewed here. */
  readonly managedPolicies: ReadonlyArray<{ readonly policy: string; readonly statements: readonly Statement[] }>;
  readonly resourcePolicies: ReadonlyArray<{ readonly resource: string; readonly statements: readonly Statement[] }>;
  /** Each state machine's tasks (Resource, Credentials, parameter keys) and its graph of edges. */
  readonly stateMachines: readonly SubjectLines[];
  /** Each task definition's security fields, container by container. */
  readonly taskDefinitions: readonly SubjectLines[];
  /** Each network resource's properties (security groups, routes, ACLs, endpoints, DNS firewall, …). */
  readonly network: readonly SubjectLines[];
  /** The organization guardrails (SCPs, RCP): removing or narrowing a statement widens what a wrong stack can do. */
  readonly guardrails: ReadonlyArray<{ readonly policy: string; readonly statements: readonly Statement[] }>;
  /** IAM users and groups (the design has none): their statements, managed policies, groups and access keys. */
  readonly identities: ReadonlyArray<{
    readonly identity: string;
    readonly permissions: readonly Statement[];
    readonly managedPolicyArns: readonly string[];
    /** A user's groups and access keys; a group's members added by `UserToGroupAddition`. */
    readonly memberships: readonly string[];
  }>;
  /** Every other resource's properties (functions, URLs, buckets, rules, custom resources, …), asset hashes elided. */
  readonly otherResources: readonly SubjectLines[];
}

/** A subject of the surface in reviewable lines: a change is a line added or removed. */
export interface SubjectLines {
  readonly subject: string;
  readonly lines: readonly string[];
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
/** The statements in one stable order (sorted keys, sorted statements), so reordering alone is no drift. */
const sortedStatements = (statements: readonly Statement[]): Statement[] =>
  [...new Map(statements.map((st) => [canonical(st), JSON.parse(canonical(st)) as Statement])).entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, st]) => st);

/**
 * The surface with environment-specific values (account IDs, prefix and environment, region) replaced by
 * placeholders, so one reviewed baseline holds for every environment.
 */
export function baselineOf(surface: TrustSurface, guardrails: readonly Guardrail[]): Baseline {
  const env = surface.env;
  const replacements: Array<[string, string]> = [
    [env.organization.id, '{organization}'],
    [env.accounts.orchestrator, '{orchestrator}'],
    [env.accounts.sandbox, '{sandbox}'],
    [env.accounts.data, '{data}'],
    [resourceName(env, '').replace(/-$/, ''), '{prefix}-{env}'],
    [`/${env.prefix}/${env.environment}/`, '/{prefix}/{env}/'],
    [env.region, '{region}'],
    [`environment:${env.environment}`, 'environment:{env}'],
    // CDK folds the stack name into some logical IDs (security group rules name their peer's path).
    [resourceName(env, '').replace(/-/g, ''), '{prefix}{env}'],
  ];
  const normalize = <T>(value: T): T => {
    let text = JSON.stringify(value);
    for (const [from, to] of replacements) text = text.split(from).join(to);
    // A code asset's hash changes with every edit of the code, which the review does not read.
    return JSON.parse(text.replace(/\b[0-9a-f]{64}\b/g, '{asset}')) as T;
  };
  const roleKey = (role: TrustSurface['roles'][number]) => normalize(`${role.account}/${role.name}`);
  const edges = surface.roles.flatMap((role) =>
    role.trust.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) =>
      principalsOf(s)
        .filter((p) => p.kind === 'AWS' && (accountOfArn(p.value) ?? p.value) !== role.accountId)
        .map((p) => ({ from: normalize(p.value), to: roleKey(role), conditions: normalize(s.Condition ?? {}) })),
    ),
  );
  return {
    roles: surface.roles
      .map((role) => ({
        role: roleKey(role),
        usedBy: normalize(role.usedBy),
        trust: normalize(role.trust.Statement),
        permissions: sortedStatements(normalize(role.permissions.flatMap((p) => p.document.Statement))),
        managedPolicyArns: normalize([...role.managedPolicyArns].sort()),
        permissionsBoundary: normalize(role.permissionsBoundaryArn ?? 'none'),
      }))
      .sort((a, b) => a.role.localeCompare(b.role)),
    crossAccountEdges: edges.sort((a, b) => `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`)),
    managedPolicies: surface.managedPolicies
      .map((p) => ({
        policy: normalize(`${p.account}/${p.name}`),
        statements: sortedStatements(normalize(p.document.Statement)),
      }))
      .sort((a, b) => a.policy.localeCompare(b.policy)),
    resourcePolicies: surface.resourcePolicies
      .map((p) => ({
        resource: normalize(`${p.account}/${p.stack}/${p.type}/${p.logicalId}`),
        statements: sortedStatements(normalize(p.policy.Statement)),
      }))
      .sort((a, b) => a.resource.localeCompare(b.resource)),
    stateMachines: bySubject(
      surface.stateMachines.map((m) => ({
        subject: normalize(`${m.account}/${m.name}`),
        lines: normalize(stateMachineLines(m)),
      })),
    ),
    taskDefinitions: bySubject(
      surface.taskDefinitions.map((t) => ({
        subject: normalize(`${t.account}/${t.family}`),
        lines: normalize(taskDefinitionLines(t)),
      })),
    ),
    network: bySubject(
      surface.networkResources.map((r) => ({
        subject: normalize(`${r.account}/${r.type}/${r.logicalId}`),
        lines: normalize(networkResourceLines(r)),
      })),
    ),
    guardrails: guardrails
      .map((g) => ({
        policy: normalize(`${g.account}/${g.kind}/${g.name}`),
        statements: sortedStatements(normalize(g.document.Statement as unknown as Statement[])),
      }))
      .sort((a, b) => a.policy.localeCompare(b.policy)),
    identities: surface.identities
      .map((i) => ({
        identity: normalize(`${i.account}/${i.kind}/${i.name}`),
        permissions: sortedStatements(normalize(i.permissions.flatMap((p) => p.document.Statement))),
        managedPolicyArns: normalize([...i.managedPolicyArns].sort()),
        memberships: normalize(
          [
            ...i.groups.map((g) => `member of group ${g}`),
            ...surface.accessKeys
              .filter((k) => i.kind === 'user' && k.account === i.account && k.userName === i.name)
              .map((k) => `access key ${k.logicalId}`),
            ...surface.groupMemberships
              .filter((m) => i.kind === 'group' && m.account === i.account && m.groupName === i.name)
              .flatMap((m) => m.userNames.map((u) => `gains user ${u} (${m.logicalId})`)),
          ].sort(),
        ),
      }))
      .sort((a, b) => a.identity.localeCompare(b.identity)),
    otherResources: bySubject(
      surface.otherResources.map((r) => ({
        subject: normalize(`${r.account}/${r.stack}/${r.type}/${r.logicalId}`),
        // A function's variables by name: their values are configuration, which differs by environment.
        lines: normalize(networkResourceLines(r).map((l) => l.replace(/^(Environment\.Variables\.\S+) = .*$/, '$1'))),
      })),
    ),
  };
}

const bySubject = (items: SubjectLines[]): SubjectLines[] => items.sort((a, b) => a.subject.localeCompare(b.subject));

/**
 * Which way one drift line moves the surface: `broadens` grants more (an Allow, a principal, an edge or a subject
 * added; a Deny removed), `narrows` grants less, `changes` cannot be told apart by its shape (a condition rewritten,
 * a network, state-machine or task-definition line), so a reviewer reads it either way.
 */
export type DriftDirection = 'broadens' | 'narrows' | 'changes';

/** One line of drift in words, with its direction. */
export interface DriftLine {
  readonly text: string;
  readonly direction: DriftDirection;
}

const byEffect = (sign: '+' | '-', effect: string | undefined): DriftDirection =>
  (sign === '+') === (effect !== 'Deny') ? 'broadens' : 'narrows';

/** Statements only in `after` (added) and only in `before` (removed), each in words with + or -. */
function statementChanges(
  what: string,
  before: readonly Statement[],
  after: readonly Statement[],
  words: (s: Statement) => string,
): DriftLine[] {
  const beforeKeys = new Set(before.map(canonical));
  const afterKeys = new Set(after.map(canonical));
  return [
    ...before
      .filter((st) => !afterKeys.has(canonical(st)))
      .map((st) => ({ text: `- ${what}: ${words(st)}`, direction: byEffect('-', st.Effect) })),
    ...after
      .filter((st) => !beforeKeys.has(canonical(st)))
      .map((st) => ({ text: `+ ${what}: ${words(st)}`, direction: byEffect('+', st.Effect) })),
  ];
}

const listChanges = (
  what: string,
  before: readonly string[],
  after: readonly string[],
  direction: (sign: '+' | '-', item: string) => DriftDirection,
): DriftLine[] => [
  ...before.filter((x) => !after.includes(x)).map((x) => ({ text: `- ${what}: ${x}`, direction: direction('-', x) })),
  ...after.filter((x) => !before.includes(x)).map((x) => ({ text: `+ ${what}: ${x}`, direction: direction('+', x) })),
];

const onResources = (st: Statement) => `${describeTrust(st)} on ${asList(st.Resource).join(', ') || '(no resource)'}`;
const grantsMoreWhenAdded = (sign: '+' | '-'): DriftDirection => (sign === '+' ? 'broadens' : 'narrows');
const eitherWay = (): DriftDirection => 'changes';

/**
 * The differences between the reviewed baseline and the surface now, one line each, grouped by subject: added
 * (`+`) and removed (`-`) statements in words, as `cdk diff` prints its IAM table, each with the way it moves the
 * surface. Empty when they match.
 */
export function driftLines(reviewed: Baseline, current: Baseline): DriftLine[] {
  const lines: DriftLine[] = [];
  const compare = <T>(
    what: string,
    before: readonly T[],
    after: readonly T[],
    key: (t: T) => string,
    changes: (a: T, b: T) => DriftLine[],
    inWords: (t: T) => DriftLine[],
    whole: (sign: '+' | '-', item: T) => DriftDirection,
  ) => {
    const a = new Map(before.map((i) => [key(i), i]));
    const b = new Map(after.map((i) => [key(i), i]));
    const under = (k: string, sign: '+' | '-', item: T) => (l: DriftLine) => ({
      text: `${what} ${k}: ${sign} ${l.text}`,
      direction: whole(sign, item),
    });
    for (const [k, item] of a)
      if (!b.has(k))
        lines.push(
          { text: `${what} ${k} was removed`, direction: whole('-', item) },
          ...inWords(item).map(under(k, '-', item)),
        );
    for (const [k, item] of b) {
      const old = a.get(k);
      if (!old)
        lines.push(
          { text: `${what} ${k} was added`, direction: whole('+', item) },
          ...inWords(item).map(under(k, '+', item)),
        );
      else lines.push(...changes(old, item).map((c) => ({ ...c, text: `${what} ${k}: ${c.text}` })));
    }
  };
  const said = (text: string): DriftLine => ({ text, direction: 'changes' });
  // Losing a policy narrows only when it is known to hold no Deny: a Deny also caps the role's other policies, and an
  // AWS-managed policy's contents (AWSDenyAll) are not in the templates.
  const reviewedPolicies = new Map((reviewed.managedPolicies ?? []).map((p) => [p.policy, p.statements]));
  const holdsNoDeny = (statements: readonly Statement[] | undefined) =>
    statements !== undefined && statements.every((st) => st.Effect !== 'Deny');
  // A normalized policy ARN names its account by placeholder (`{data}`), as the policy's key does by role (`data/`).
  const policyOfArn = (arn: string) => {
    const [, account, name] = /^arn:[^:]+:iam::\{(\w+)\}:policy\/(.+)$/.exec(arn) ?? [];
    return account ? reviewedPolicies.get(`${account}/${name}`) : undefined;
  };
  const detaching = (sign: '+' | '-', arn: string): DriftDirection =>
    sign === '+' ? 'broadens' : holdsNoDeny(policyOfArn(arn)) ? 'narrows' : 'changes';
  compare(
    'role',
    reviewed.roles ?? [],
    current.roles,
    (r) => r.role,
    (a, b) => [
      ...statementChanges('trust', a.trust ?? [], b.trust, describeTrust),
      ...statementChanges('permission', a.permissions ?? [], b.permissions, describeStatement),
      ...listChanges('managed policy', a.managedPolicyArns ?? [], b.managedPolicyArns, detaching),
      ...(a.permissionsBoundary !== undefined && a.permissionsBoundary !== b.permissionsBoundary
        ? [
            {
              text: `permissions boundary changed from ${a.permissionsBoundary} to ${b.permissionsBoundary ?? 'none'}`,
              direction: (b.permissionsBoundary ?? 'none') === 'none' ? ('broadens' as const) : ('changes' as const),
            },
          ]
        : []),
      ...(a.usedBy !== b.usedBy ? [said(`purpose changed from "${a.usedBy}" to "${b.usedBy}"`)] : []),
    ],
    (r) => [
      ...r.trust.map((st) => said(`trust: ${describeTrust(st)}`)),
      ...r.permissions.map((st) => said(`permission: ${describeStatement(st)}`)),
      ...r.managedPolicyArns.map((arn) => said(`managed policy: ${arn}`)),
    ],
    grantsMoreWhenAdded,
  );
  compare(
    'cross-account edge',
    reviewed.crossAccountEdges ?? [],
    current.crossAccountEdges,
    (e) => `${e.from} → ${e.to}`,
    (a, b) =>
      canonical(a.conditions) !== canonical(b.conditions)
        ? [said(`conditions changed from ${canonical(a.conditions)} to ${canonical(b.conditions)}`)]
        : [],
    (e) => [said(`conditions ${canonical(e.conditions)}`)],
    grantsMoreWhenAdded,
  );
  compare(
    'managed policy',
    reviewed.managedPolicies ?? [],
    current.managedPolicies,
    (p) => p.policy,
    (a, b) => statementChanges('statement', a.statements ?? [], b.statements, describeStatement),
    (p) => p.statements.map((st) => said(`statement: ${describeStatement(st)}`)),
    (sign, p) => (sign === '+' ? 'broadens' : holdsNoDeny(p.statements) ? 'narrows' : 'changes'),
  );
  compare(
    'resource policy',
    reviewed.resourcePolicies ?? [],
    current.resourcePolicies,
    (p) => p.resource,
    (a, b) => statementChanges('statement', a.statements ?? [], b.statements, onResources),
    (p) => p.statements.map((st) => said(`statement: ${onResources(st)}`)),
    // A resource policy that appears admits someone; one that disappears may also drop a Deny: read it.
    (sign) => (sign === '+' ? 'broadens' : 'changes'),
  );
  compare(
    'guardrail',
    reviewed.guardrails ?? [],
    current.guardrails,
    (g) => g.policy,
    (a, b) => statementChanges('statement', a.statements ?? [], b.statements, describeStatement),
    (g) => g.statements.map((st) => said(`statement: ${describeStatement(st)}`)),
    // A guardrail denies: one that appears narrows, one that disappears broadens.
    (sign) => (sign === '+' ? 'narrows' : 'broadens'),
  );
  compare(
    'IAM identity',
    reviewed.identities ?? [],
    current.identities,
    (i) => i.identity,
    (a, b) => [
      ...statementChanges('permission', a.permissions ?? [], b.permissions, describeStatement),
      ...listChanges('managed policy', a.managedPolicyArns ?? [], b.managedPolicyArns, detaching),
      ...listChanges('', a.memberships ?? [], b.memberships, grantsMoreWhenAdded).map((l) => ({
        ...l,
        text: l.text.replace(/^([+-]) : /, '$1 '),
      })),
    ],
    (i) => [
      ...i.permissions.map((st) => said(`permission: ${describeStatement(st)}`)),
      ...i.managedPolicyArns.map((arn) => said(`managed policy: ${arn}`)),
      ...i.memberships.map(said),
    ],
    // An IAM user or group is a long-lived way in: one that appears broadens.
    grantsMoreWhenAdded,
  );
  for (const [what, reviewedItems, currentItems] of [
    ['state machine', reviewed.stateMachines, current.stateMachines],
    // The task role is one of its lines.
    ['task definition', reviewed.taskDefinitions, current.taskDefinitions],
    ['network resource', reviewed.network, current.network],
    // A function URL, a rule's target, a bucket's notification or a custom resource's SDK call: read either way.
    ['resource', reviewed.otherResources, current.otherResources],
  ] as const)
    compare(
      what,
      reviewedItems ?? [],
      currentItems,
      (item) => item.subject,
      (a, b) =>
        listChanges('', a.lines ?? [], b.lines, eitherWay).map((l) => ({
          ...l,
          text: l.text.replace(/^([+-]) : /, '$1 '),
        })),
      (item) => item.lines.map(said),
      // A route or an endpoint added opens a path; a firewall rule or an ACL removed opens one too.
      eitherWay,
    );
  return lines;
}

/** The drift in words, one line each (see `driftLines`). */
export const describeDrift = (reviewed: Baseline, current: Baseline): string[] =>
  driftLines(reviewed, current).map((l) => l.text);

export const serializeBaseline = (baseline: Baseline): string => `${JSON.stringify(baseline, null, 2)}\n`;
