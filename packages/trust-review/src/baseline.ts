import { createHash } from 'node:crypto';
import { resourceName } from '@airlock/contracts';
import { accountOfArn, principalsOf, type Statement } from '@airlock/cloud-assembly';
import type { TrustSurface } from '@airlock/cloud-assembly';

/** The reviewed trust surface: what a reviewer signs when the baseline file changes in a pull request. */
export interface Baseline {
  readonly roles: ReadonlyArray<{
    readonly role: string;
    readonly usedBy: string;
    readonly trust: readonly Statement[];
    readonly permissionsDigest: string;
  }>;
  readonly crossAccountEdges: ReadonlyArray<{
    readonly from: string;
    readonly to: string;
    readonly conditions: unknown;
  }>;
  readonly resourcePolicies: ReadonlyArray<{ readonly resource: string; readonly digest: string }>;
  readonly taskRoles: ReadonlyArray<{ readonly taskDefinition: string; readonly taskRole: string | null }>;
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
const digest = (value: unknown) => createHash('sha256').update(canonical(value)).digest('hex').slice(0, 16);

/**
 * The surface with environment-specific values (account IDs, prefix and environment, region) replaced by
 * placeholders, so one reviewed baseline holds for every environment.
 */
export function baselineOf(surface: TrustSurface): Baseline {
  const env = surface.env;
  const replacements: Array<[string, string]> = [
    [env.accounts.orchestrator, '{orchestrator}'],
    [env.accounts.sandbox, '{sandbox}'],
    [env.accounts.data, '{data}'],
    [resourceName(env, '').replace(/-$/, ''), '{prefix}-{env}'],
    [`/${env.prefix}/${env.environment}/`, '/{prefix}/{env}/'],
    [env.region, '{region}'],
    [`environment:${env.environment}`, 'environment:{env}'],
  ];
  const normalize = <T>(value: T): T => {
    let text = JSON.stringify(value);
    for (const [from, to] of replacements) text = text.split(from).join(to);
    return JSON.parse(text) as T;
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
        permissionsDigest: digest(normalize([role.permissions.map((p) => p.document), role.managedPolicyArns])),
      }))
      .sort((a, b) => a.role.localeCompare(b.role)),
    crossAccountEdges: edges.sort((a, b) => `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`)),
    resourcePolicies: surface.resourcePolicies
      .map((p) => ({
        resource: normalize(`${p.account}/${p.stack}/${p.type}/${p.logicalId}`),
        digest: digest(normalize(p.policy)),
      }))
      .sort((a, b) => a.resource.localeCompare(b.resource)),
    taskRoles: surface.taskDefinitions
      .map((t) => ({
        taskDefinition: normalize(`${t.account}/${t.family}`),
        taskRole: t.taskRoleArn ? normalize(t.taskRoleArn) : null,
      }))
      .sort((a, b) => a.taskDefinition.localeCompare(b.taskDefinition)),
  };
}

/** The differences between the reviewed baseline and the surface now, in words; empty when they match. */
export function describeDrift(reviewed: Baseline, current: Baseline): string[] {
  const lines: string[] = [];
  const byKey = <T>(items: readonly T[], key: (t: T) => string) => new Map(items.map((i) => [key(i), i]));
  const compare = <T>(
    what: string,
    before: readonly T[],
    after: readonly T[],
    key: (t: T) => string,
    changes: (a: T, b: T) => string[],
  ) => {
    const a = byKey(before, key);
    const b = byKey(after, key);
    for (const k of a.keys()) if (!b.has(k)) lines.push(`${what} ${k} was removed`);
    for (const [k, item] of b) {
      const old = a.get(k);
      if (!old) lines.push(`${what} ${k} was added: ${canonical(item)}`);
      else lines.push(...changes(old, item).map((c) => `${what} ${k}: ${c}`));
    }
  };
  compare(
    'role',
    reviewed.roles,
    current.roles,
    (r) => r.role,
    (a, b) => [
      ...(canonical(a.trust) !== canonical(b.trust)
        ? [`trust changed from ${canonical(a.trust)} to ${canonical(b.trust)}`]
        : []),
      ...(a.permissionsDigest !== b.permissionsDigest
        ? [`permissions changed (digest ${a.permissionsDigest} → ${b.permissionsDigest}); see report.md`]
        : []),
      ...(a.usedBy !== b.usedBy ? [`purpose changed from "${a.usedBy}" to "${b.usedBy}"`] : []),
    ],
  );
  compare(
    'cross-account edge',
    reviewed.crossAccountEdges,
    current.crossAccountEdges,
    (e) => `${e.from} → ${e.to}`,
    (a, b) =>
      canonical(a.conditions) !== canonical(b.conditions)
        ? [`conditions changed from ${canonical(a.conditions)} to ${canonical(b.conditions)}`]
        : [],
  );
  compare(
    'resource policy',
    reviewed.resourcePolicies,
    current.resourcePolicies,
    (p) => p.resource,
    (a, b) => (a.digest !== b.digest ? [`changed (digest ${a.digest} → ${b.digest})`] : []),
  );
  compare(
    'task definition',
    reviewed.taskRoles,
    current.taskRoles,
    (t) => t.taskDefinition,
    (a, b) =>
      a.taskRole !== b.taskRole ? [`task role changed from ${String(a.taskRole)} to ${String(b.taskRole)}`] : [],
  );
  return lines;
}

export const serializeBaseline = (baseline: Baseline): string => `${JSON.stringify(baseline, null, 2)}\n`;
