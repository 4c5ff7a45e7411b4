/** IAM policy JSON as it appears in a template once intrinsics are resolved to strings. */
export type Principal = '*' | { AWS?: string | string[]; Service?: string | string[]; Federated?: string | string[] };
export type Conditions = Record<string, Record<string, string | string[]>>;

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Principal;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Conditions;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Statement[];
}

export const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every principal string of a statement, tagged with its kind; `*` is reported as kind AWS. */
export function principalsOf(statement: Statement): Array<{ kind: 'AWS' | 'Service' | 'Federated'; value: string }> {
  const p = statement.Principal;
  if (p === undefined) return [];
  if (p === '*') return [{ kind: 'AWS', value: '*' }];
  return (['AWS', 'Service', 'Federated'] as const).flatMap((kind) =>
    asList(p[kind]).map((value) => ({ kind, value })),
  );
}

/** The account ID inside an ARN (`arn:partition:service:region:account:...`), if any. */
export const accountOfArn = (arn: string): string | undefined => /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];

/** Whether an IAM action pattern (`*` and `?` wildcards, case-insensitive) covers an action. */
export const actionMatches = (pattern: string, action: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  ).test(action);
