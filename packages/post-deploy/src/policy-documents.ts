import { asList } from '@airlock/cloud-assembly';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type NormalStatement = Record<string, Json>;

/** IAM returns policy documents URL-encoded (GetRole, GetRolePolicy, GetPolicyVersion); S3 and others as JSON. */
export function parseDeployedPolicy(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return JSON.parse(trimmed.startsWith('{') ? trimmed : decodeURIComponent(trimmed)) as unknown;
}

const LIST_FIELDS = ['Action', 'NotAction', 'Resource', 'NotResource'];
const sortedUnique = (values: unknown): string[] => [...new Set(asList(values as unknown[]).map(String))].sort();

/**
 * One statement in a form where equal policies are equal JSON: a single value and a one-element list alike, lists
 * sorted, condition values as strings (IAM stores `true` and `"true"` alike), keys in a fixed order.
 */
function normalStatement(raw: Record<string, unknown>): NormalStatement {
  const out: NormalStatement = {};
  for (const key of Object.keys(raw).sort()) {
    const value = raw[key];
    if (LIST_FIELDS.includes(key)) out[key] = sortedUnique(value);
    else if (key === 'Principal' || key === 'NotPrincipal')
      // `"*"` and `{ "AWS": "*" }` are the same principal; a service may store either.
      out[key] = Object.fromEntries(
        Object.entries(value === '*' ? { AWS: '*' } : (value as Record<string, unknown>))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([kind, v]) => [kind, sortedUnique(v)]),
      );
    else if (key === 'Condition')
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, Record<string, unknown>>)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([operator, keys]) => [
            operator,
            Object.fromEntries(
              Object.entries(keys)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, v]) => [k, sortedUnique(v)]),
            ),
          ]),
      );
    else out[key] = value as Json;
  }
  return out;
}

const statementsOf = (policy: unknown): NormalStatement[] =>
  asList((policy as { Statement?: unknown } | undefined)?.Statement as Record<string, unknown>[] | undefined).map(
    normalStatement,
  );

const text = (value: unknown): string => JSON.stringify(value);

/** What differs in one field of two statements, from the synthesized one to the deployed one. */
function fieldDifferences(expected: NormalStatement, deployed: NormalStatement): string[] {
  const fields = [...new Set([...Object.keys(expected), ...Object.keys(deployed)])].sort();
  return fields.flatMap((field) => {
    const [want, got] = [expected[field], deployed[field]];
    if (text(want) === text(got)) return [];
    if (LIST_FIELDS.includes(field)) {
      const [w, g] = [(want ?? []) as string[], (got ?? []) as string[]];
      const extra = g.filter((v) => !w.includes(v));
      const missing = w.filter((v) => !g.includes(v));
      return [
        `${field}${extra.length ? ` extra ${extra.join(', ')}` : ''}${missing.length ? ` missing ${missing.join(', ')}` : ''}`,
      ];
    }
    if (field === 'Condition') {
      const [w, g] = [(want ?? {}) as Record<string, Json>, (got ?? {}) as Record<string, Json>];
      const keys = [...new Set([...Object.keys(w), ...Object.keys(g)])].flatMap((operator) => {
        const [wk, gk] = [(w[operator] ?? {}) as Record<string, Json>, (g[operator] ?? {}) as Record<string, Json>];
        return [...new Set([...Object.keys(wk), ...Object.keys(gk)])]
          .filter((k) => text(wk[k]) !== text(gk[k]))
          .map((k) => `${operator} ${k} synthesized ${text(wk[k]) ?? 'none'}, deployed ${text(gk[k]) ?? 'none'}`);
      });
      return [`Condition ${keys.join('; ')}`];
    }
    return [`${field} synthesized ${text(want) ?? 'none'}, deployed ${text(got) ?? 'none'}`];
  });
}

/**
 * The differences between a synthesized policy and the deployed one, in words; empty when they are the same policy
 * (statement order, single values against lists and encoding aside). Unmatched statements are paired by Sid, or
 * when one of each remains, and their fields compared, so the line names the extra action or the changed condition.
 */
export function policyDifferences(synthesized: unknown, deployed: unknown): string[] {
  const differences: string[] = [];
  const [wantVersion, gotVersion] = [
    (synthesized as { Version?: string } | undefined)?.Version,
    (deployed as { Version?: string } | undefined)?.Version,
  ];
  if (wantVersion !== gotVersion) differences.push(`Version synthesized ${wantVersion}, deployed ${gotVersion}`);
  const want = statementsOf(synthesized);
  const got = statementsOf(deployed);
  const missing = want.filter((w) => !got.some((g) => text(g) === text(w)));
  const extra = got.filter((g) => !want.some((w) => text(w) === text(g)));
  const pairs: Array<[NormalStatement, NormalStatement]> = [];
  for (const w of [...missing]) {
    const partner =
      w.Sid !== undefined
        ? extra.find((g) => g.Sid === w.Sid)
        : missing.length === 1 && extra.length === 1
          ? extra[0]
          : undefined;
    if (!partner) continue;
    pairs.push([w, partner]);
    missing.splice(missing.indexOf(w), 1);
    extra.splice(extra.indexOf(partner), 1);
  }
  for (const [w, g] of pairs) differences.push(`statement ${w.Sid ?? text(w)}: ${fieldDifferences(w, g).join('; ')}`);
  for (const g of extra) differences.push(`extra statement ${text(g)}`);
  for (const w of missing) differences.push(`missing statement ${text(w)}`);
  return differences;
}
