import {
  ALLOW_EVERYTHING,
  accountOfArn,
  actionMatches,
  boundaryOf,
  asList,
  principalsOf,
  simulateRequest,
  type IdentityModel,
  type PolicyDocument,
  type RoleModel,
  type Statement,
  type TrustSurface,
} from '@airlock/cloud-assembly';
import { dataBucketArn, runsTableArn } from '@airlock/contracts';
import { describeTrust } from './describe-policy.js';
import { crossAccountTargets } from './simulation-matrix.js';
import { FOREIGN_ACCOUNT } from './simulated-principals.js';

/** One principal that can make the request, and the context keys without which it could not. */
export interface Reacher {
  readonly principal: string;
  /** The resource it was allowed on: for a pattern, the first one matching it that the principal's Allows name. */
  readonly on: string;
  /** Each `key = value` the request must carry (removing any one of them turns the answer into a denial). */
  readonly when: readonly string[];
  /** Who can become this principal: its trust statements in words (roles only). */
  readonly assumedBy: readonly string[];
}

/** The answer to "who can <action> on <resource>", across the three accounts, from the synthesized policies. */
export interface WhoCanAnswer {
  readonly action: string;
  readonly resource: string;
  readonly resourcePolicy: string;
  readonly reachers: readonly Reacher[];
  /** What the answer cannot see: AWS-managed policy contents, service principals' own calls. */
  readonly notModeled: readonly string[];
  /** Requests the simulator refused to evaluate (an ARN of the wrong shape for the action): never silently "no". */
  readonly unanswered: readonly string[];
  /** Principals found unable only after a search the cap cut short: another combination might still let them in. */
  readonly searchCut: readonly string[];
}

// The simulator sets these from the principal and the resource; a request cannot choose them.
const SET_BY_AWS = new Set([
  'aws:principalarn',
  'aws:principalaccount',
  'aws:resourceaccount',
  'aws:principalisawsservice',
]);

/**
 * AWS-managed policies' contents are not in the templates. ReadOnlyAccess is stood in for by the reads it grants on
 * the services Airlock uses (it grants these and more); any other AWS-managed policy counts as everything.
 */
const READ_VERBS = ['Get*', 'List*', 'Describe*', 'BatchGet*'];
const READ_ONLY_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        ...[
          's3',
          'dynamodb',
          'ecs',
          'states',
          'logs',
          'kms',
          'cloudtrail',
          'lambda',
          'ec2',
          'iam',
          'ssm',
          'events',
        ].flatMap((service) => READ_VERBS.map((verb) => `${service}:${verb}`)),
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:PartiQLSelect',
        'cloudtrail:LookupEvents',
        'logs:FilterLogEvents',
        'logs:StartQuery',
      ],
      Resource: '*',
    },
  ],
};
const awsManagedStandIn = (arn: string): PolicyDocument =>
  /:iam::aws:policy\/ReadOnlyAccess$/.test(arn) ? READ_ONLY_ACCESS : ALLOW_EVERYTHING;

/** A concrete resource for a pattern: each wildcard becomes one path segment. */
const concrete = (pattern: string) => pattern.replace(/\*/g, 'example').replace(/\?/g, 'x');
/** Whether a concrete resource matches an IAM-style pattern (`*` any run of characters, `?` one). */
const matchesPattern = (pattern: string, resource: string) =>
  new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  ).test(resource);

/** The resource's own policy: the role's trust, the key's key policy, or the bucket's bucket policy. */
function resourcePolicyOf(surface: TrustSurface, action: string, resource: string) {
  const role = surface.roles.find((r) => r.arn === resource);
  if (role && actionMatches('sts:*', action)) return { policy: role.trust, what: `the trust policy of ${role.name}` };
  const { partition, region } = surface.env;
  for (const p of surface.resourcePolicies) {
    if (p.isEndpointPolicy) continue;
    if (p.type === 'AWS::KMS::Key' && resource === `arn:${partition}:kms:${region}:${p.accountId}:key/${p.logicalId}`)
      return { policy: p.policy, what: `the key policy of ${p.logicalId} (${p.account})` };
    const bucket = /^arn:[^:]+:s3:::([^/]+)/.exec(resource)?.[1];
    const names = p.policy.Statement.flatMap((s) => asList(s.Resource).map(String));
    if (
      bucket &&
      p.type === 'AWS::S3::BucketPolicy' &&
      names.some((r) => r.split('/')[0] === `arn:${partition}:s3:::${bucket}`)
    )
      return { policy: p.policy, what: `the bucket policy of ${bucket} (${p.account})` };
  }
  return undefined;
}

/**
 * The simulator ignores `kms:EncryptionContext:<key>` (a key with a variable after a colon), so an Allow bound by one
 * never matches. Such a condition is taken as met, and said so: the caller chooses its encryption context.
 */
const UNEVALUATED_KEY = /^kms:EncryptionContext:/i;
function takeEncryptionContextAsGiven(document: PolicyDocument): { document: PolicyDocument; given: string[] } {
  const given: string[] = [];
  const Statement = document.Statement.map((statement): Statement => {
    if (statement.Effect !== 'Allow' || !statement.Condition) return statement;
    const Condition = Object.fromEntries(
      Object.entries(statement.Condition)
        .map(([operator, entries]) => {
          const kept = Object.entries(entries as Record<string, unknown>).filter(([key, value]) => {
            if (!UNEVALUATED_KEY.test(key)) return true;
            given.push(`${key} = ${asList(value as string | string[]).join(' or ')} (taken as given: not simulated)`);
            return false;
          });
          return [operator, Object.fromEntries(kept)] as const;
        })
        .filter(([, entries]) => Object.keys(entries).length > 0),
    );
    if (Object.keys(Condition).length > 0) return { ...statement, Condition: Condition as Statement['Condition'] };
    const { Condition: _none, ...unconditioned } = statement;
    return unconditioned;
  });
  return { document: { ...document, Statement }, given };
}

/** A statement's conditions as (operator, key, values) entries. */
const conditionsOf = (statement: Statement) =>
  Object.entries(statement.Condition ?? {}).flatMap(([operator, entries]) =>
    Object.entries(entries as Record<string, unknown>).map(([key, value]) => ({
      operator,
      key,
      values: asList(value as string | string[]).map(String),
    })),
  );

/**
 * The statements' condition values, as the request context that satisfies their Allows and escapes their Denies:
 * an Allow's positive operators get the value they name; a Deny is escaped by the value its negated operator names,
 * and by another value than its positive `IfExists` operator names (a missing key would match it); a key a Null
 * condition needs present (an Allow's `false`, a Deny's `true`) is present. Allows choose first.
 */
function favourableContext(statements: readonly Statement[]): Record<string, string> {
  const context: Record<string, string> = {};
  const set = (key: string, value: string) => {
    if (!SET_BY_AWS.has(key.toLowerCase()) && !(key in context)) context[key] = value;
  };
  const conditions = (effect: Statement['Effect']) =>
    statements.filter((s) => s.Effect === effect).flatMap(conditionsOf);
  for (const { operator, key, values } of conditions('Allow'))
    if (!/Not|^Null/.test(operator) && values[0] !== undefined) set(key, concrete(values[0]));
  for (const { operator, key, values } of conditions('Deny')) {
    if (values[0] === undefined || operator.startsWith('Null')) continue;
    if (/Not/.test(operator)) set(key, concrete(values[0]));
    else if (operator.startsWith('Bool') && operator.endsWith('IfExists'))
      set(key, values[0] === 'true' ? 'false' : 'true');
    else if (/^(String|Arn)\w*IfExists$/.test(operator)) set(key, `${concrete(values[0])}-not-named`);
  }
  for (const effect of ['Allow', 'Deny'] as const)
    for (const { operator, key, values } of conditions(effect))
      if (operator.startsWith('Null') && values[0] === (effect === 'Allow' ? 'false' : 'true')) set(key, 'example');
  return context;
}

/** At most this many combinations of condition values are tried per principal and resource, after the others. */
export const COMBINATION_CAP = 64;

/**
 * The favourable context first, then each other one the Allows describe: every value a positive operator lists
 * (`StringEquals` on a list, `ForAnyValue:…`), one key at a time, and each Allow statement's own values taking the
 * lead; then the combinations of those values across keys (a principal may need the second value of two keys at
 * once), at most `COMBINATION_CAP` of them: `cut` says how many there were when the cap stopped the search.
 */
function favourableContexts(statements: readonly Statement[]): {
  contexts: Array<Record<string, string>>;
  cut?: { readonly tried: number; readonly total: number };
} {
  const base = favourableContext(statements);
  const allows = statements.filter((s) => s.Effect === 'Allow');
  const choices = new Map<string, string[]>();
  for (const { operator, key, values } of allows.flatMap(conditionsOf))
    if (!/Not|^Null/.test(operator) && !SET_BY_AWS.has(key.toLowerCase()))
      choices.set(key, [...new Set([...(choices.get(key) ?? []), ...values.map(concrete)])]);
  const alternatives = [
    ...[...choices].flatMap(([key, values]) => values.map((value) => ({ ...base, [key]: value }))),
    ...allows.map((lead) => favourableContext([lead, ...statements.filter((s) => s !== lead)])),
  ];
  const keyed = [...choices];
  const total = keyed.reduce((n, [, values]) => n * values.length, 1);
  const combinations: Array<Record<string, string>> = [];
  // The i-th combination, reading i in the mixed radix of each key's number of values.
  for (let i = 0; keyed.length > 1 && i < Math.min(total, COMBINATION_CAP); i++) {
    let rest = i;
    const combination: Record<string, string> = { ...base };
    for (const [key, values] of keyed) {
      combination[key] = values[rest % values.length] ?? '';
      rest = Math.floor(rest / values.length);
    }
    combinations.push(combination);
  }
  const seen = new Set<string>();
  const contexts = [base, ...alternatives, ...combinations].filter((context) => {
    const key = JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b)));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    contexts,
    ...(keyed.length > 1 && total > COMBINATION_CAP ? { cut: { tried: COMBINATION_CAP, total } } : {}),
  };
}

interface Candidate {
  readonly principal: string;
  readonly identity: readonly PolicyDocument[];
  /** Its permissions boundary, when it is a customer managed policy of the stacks. */
  readonly boundary?: PolicyDocument;
  readonly role?: RoleModel;
}

/**
 * Principals outside the three accounts' roles that a resource policy or a trust names (a partner account's root, a
 * role of another account): each is taken as allowed everything by its own account, so only the policy naming it
 * decides. The three accounts' roots are their administrators.
 */
function namedOutsiders(surface: TrustSurface, roles: readonly Candidate[]): Candidate[] {
  const { partition, accounts } = surface.env;
  const known = new Set([...roles.map((r) => r.principal), ...Object.values(accounts)]);
  const named = [...surface.resourcePolicies.map((p) => p.policy), ...surface.roles.map((r) => r.trust)]
    .flatMap((policy) => policy.Statement)
    .flatMap((statement) => principalsOf(statement))
    .filter((p) => p.kind === 'AWS' && p.value !== '*')
    .map((p) => {
      const account = /^\d{12}$/.test(p.value) ? p.value : /^arn:[^:]+:iam::(\d{12}):root$/.exec(p.value)?.[1];
      return account
        ? { account, arn: `arn:${partition}:iam::${account}:role/a-principal-of-account-${account}` }
        : { account: accountOfArn(p.value), arn: p.value };
    })
    .filter(({ account, arn }) => !known.has(arn) && !(account && known.has(account)));
  return [...new Set(named.map((n) => n.arn))].map((principal) => ({ principal, identity: [ALLOW_EVERYTHING] }));
}

/**
 * Every role and IAM user of the three accounts, each account's administrator, a principal of another account, and every other
 * principal a resource policy or a trust names.
 */
function candidates(surface: TrustSurface): { list: Candidate[]; awsManaged: string[]; unknownBoundaries: string[] } {
  const { partition, accounts } = surface.env;
  const managed = new Map(
    surface.managedPolicies.map((p) => [`arn:${partition}:iam::${p.accountId}:policy/${p.name}`, p.document]),
  );
  const awsManaged = new Set<string>();
  const unknownBoundaries = new Set<string>();
  /** A role's or user's identity policies: its own, its managed policies', and (a user) its groups'. */
  const identityOf = (
    holder: Pick<RoleModel, 'name' | 'permissions' | 'managedPolicyArns' | 'permissionsBoundaryArn'>,
    groups: readonly IdentityModel[] = [],
  ) => {
    const attached = [...holder.managedPolicyArns, ...groups.flatMap((g) => g.managedPolicyArns)].map((arn) => {
      const document = managed.get(arn);
      if (!document) awsManaged.add(arn);
      return document ?? awsManagedStandIn(arn);
    });
    const boundary = boundaryOf(surface, holder);
    if (boundary === 'unknown') unknownBoundaries.add(`${holder.permissionsBoundaryArn} (of ${holder.name})`);
    return {
      identity: [
        ...[...holder.permissions, ...groups.flatMap((g) => g.permissions)].map((p) => p.document),
        ...attached,
      ],
      ...(typeof boundary === 'object' ? { boundary } : {}),
    };
  };
  const roles = surface.roles.map((role): Candidate => ({ principal: role.arn, ...identityOf(role), role }));
  // IAM users (the design has none; the no-iam-users rule fails on any) reach what their own and groups' policies allow.
  const users = surface.identities
    .filter((i) => i.kind === 'user')
    .map((user): Candidate => ({
      principal: user.arn,
      ...identityOf(
        user,
        surface.identities.filter(
          (g) => g.kind === 'group' && g.account === user.account && user.groups.includes(g.name),
        ),
      ),
    }));
  const administrators = Object.entries(accounts).map(([name, id]) => ({
    principal: `arn:${partition}:iam::${id}:role/an-administrator-of-the-${name}-account`,
    identity: [ALLOW_EVERYTHING],
  }));
  const outsider = {
    principal: `arn:${partition}:iam::${FOREIGN_ACCOUNT}:role/a-principal-of-another-account`,
    identity: [ALLOW_EVERYTHING],
  };
  return {
    list: [...roles, ...users, ...administrators, outsider, ...namedOutsiders(surface, roles)],
    awsManaged: [...awsManaged],
    unknownBoundaries: [...unknownBoundaries],
  };
}

/** Whether a statement names the action: in its Action, or by leaving it out of its NotAction. */
const appliesTo = (statement: Statement, action: string) =>
  statement.NotAction !== undefined
    ? !asList(statement.NotAction).some((a) => actionMatches(String(a), action))
    : asList(statement.Action).some((a) => actionMatches(String(a), action));

class SimulatorRefused extends Error {}

const decide = async (
  candidate: Candidate,
  action: string,
  resource: string,
  resourceAccount: string,
  resourcePolicy: PolicyDocument | undefined,
  context: Record<string, string>,
) => {
  const result = await simulateRequest({
    principal: candidate.principal,
    identityPolicies: candidate.identity,
    ...(candidate.boundary ? { permissionsBoundary: candidate.boundary } : {}),
    action,
    resource,
    resourceAccount,
    ...(resourcePolicy ? { resourcePolicy } : {}),
    context,
  });
  if (result.kind === 'error') throw new SimulatorRefused(`${candidate.principal} on ${resource}: ${result.errors}`);
  return result.allowed;
};

/**
 * `npm run review -- who-can <action> <resource>`: every principal the synthesized policies let make the request,
 * each in the most favourable context the statements involved describe, with the keys it cannot do without and who
 * can become it. The IAM simulator decides each answer: the same evaluation as the simulation matrix.
 */
export async function whoCan(surface: TrustSurface, action: string, resource: string): Promise<WhoCanAnswer> {
  const accountOf = (arn: string) =>
    accountOfArn(arn) ?? (/^arn:[^:]+:s3:::/.test(arn) ? surface.env.accounts.data : surface.env.accounts.orchestrator);
  const { list, awsManaged, unknownBoundaries } = candidates(surface);
  const reachers: Reacher[] = [];
  const unanswered: string[] = [];
  const searchCut: string[] = [];
  for (const listed of list) {
    const statements = (policy?: PolicyDocument) => (policy?.Statement ?? []).filter((s) => appliesTo(s, action));
    const relevant = listed.identity.map((d) => takeEncryptionContextAsGiven({ ...d, Statement: statements(d) }));
    const candidate = { ...listed, identity: relevant.map((r) => r.document) };
    const identity = candidate.identity.flatMap((d) => d.Statement);
    // A pattern is reachable when any resource matching it is: try the ones the principal's own Allows name.
    const tried = [
      concrete(resource),
      ...identity
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => asList(s.Resource).map((r) => concrete(String(r))))
        .filter((r) => matchesPattern(resource, r)),
    ];
    for (const on of [...new Set(tried)]) {
      const found = resourcePolicyOf(surface, action, on);
      const own = found && { ...found, policy: takeEncryptionContextAsGiven(found.policy).document };
      const ask = (keys: Record<string, string>) => decide(candidate, action, on, accountOf(on), own?.policy, keys);
      let context: Record<string, string> | undefined;
      const { contexts, cut } = favourableContexts([...identity, ...statements(own?.policy)]);
      try {
        for (const tried of contexts)
          if (await ask(tried)) {
            context = tried;
            break;
          }
      } catch (error) {
        if (!(error instanceof SimulatorRefused)) throw error;
        unanswered.push(error.message);
        continue;
      }
      if (context === undefined) {
        if (cut)
          searchCut.push(
            `${candidate.principal} on ${on}: tried ${cut.tried} of ${cut.total} combinations of condition values`,
          );
        continue;
      }
      const when: string[] = relevant.flatMap((r) => r.given);
      for (const [key, value] of Object.entries(context)) {
        const { [key]: _dropped, ...without } = context;
        if (!(await ask(without))) when.push(`${key} = ${value}`);
      }
      reachers.push({
        principal: candidate.principal,
        on,
        when,
        assumedBy: candidate.role?.trust.Statement.filter((s) => s.Effect === 'Allow').map(describeTrust) ?? [],
      });
      break;
    }
  }
  const own = resourcePolicyOf(surface, action, concrete(resource));
  return {
    action,
    resource,
    resourcePolicy: own?.what ?? 'none (identity policies alone decide)',
    reachers,
    unanswered,
    searchCut,
    notModeled: [
      ...awsManaged.map(
        (arn) =>
          `AWS-managed policy ${arn}: its contents are not in the templates; counted as ${awsManagedStandIn(arn) === ALLOW_EVERYTHING ? 'every action' : 'the reads it grants on the services Airlock uses'}`,
      ),
      ...unknownBoundaries.map((b) => `permissions boundary ${b}: not in the templates, so not applied`),
      'AWS services calling as themselves (service principals): see the resource policies in this report',
      'session policies passed at AssumeRole (the URL signer is narrowed further at run time)',
      'the organization guardrails: they hold only once attached (see "Organization guardrails"); these answers are the stacks\' own',
    ],
  };
}

/** The answer in words, one line per principal, as the command prints it and the report lists it. */
export function whoCanLines(answer: WhoCanAnswer): string[] {
  const head = `who can ${answer.action} on ${answer.resource}, with ${answer.resourcePolicy}:`;
  const refused = [
    ...(answer.unanswered.length
      ? [`  ✗ the simulator could not evaluate ${answer.unanswered.length} request(s), e.g. ${answer.unanswered[0]}`]
      : []),
    ...answer.searchCut.map((cut) => `  ? search cut at ${COMBINATION_CAP} combinations, so not proven unable: ${cut}`),
  ];
  if (answer.reachers.length === 0)
    return [head, '  no principal of the three accounts, their administrators or another account', ...refused];
  return [
    head,
    ...answer.reachers.flatMap((r) => [
      `  ${r.principal}${r.on !== answer.resource ? ` on ${r.on}` : ''}${r.when.length ? `, only when ${r.when.join(' and ')}` : ''}`,
      ...r.assumedBy.map((t) => `      which ${t.charAt(0).toLowerCase()}${t.slice(1)}`),
    ]),
    ...refused,
  ];
}

/**
 * The questions the report answers for every reviewer: the data bucket's run and result objects, the runs table,
 * each cross-account target role, and every customer key (the workflows' history keys and the data key).
 */
export function reportedQuestions(surface: TrustSurface): Array<{ action: string; resource: string }> {
  const { env } = surface;
  const bucket = dataBucketArn(env);
  const keys = surface.resourcePolicies
    .filter((p) => p.type === 'AWS::KMS::Key')
    .map((p) => `arn:${env.partition}:kms:${env.region}:${p.accountId}:key/${p.logicalId}`);
  return [
    ...['s3:GetObject', 's3:PutObject', 's3:DeleteObject'].flatMap((action) =>
      ['runs/*', 'results/*'].map((prefix) => ({ action, resource: `${bucket}/${prefix}` })),
    ),
    ...['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].map((action) => ({
      action,
      resource: runsTableArn(env),
    })),
    ...crossAccountTargets(surface).map((role) => ({ action: 'sts:AssumeRole', resource: role.arn })),
    ...keys.map((resource) => ({ action: 'kms:Decrypt', resource })),
  ];
}
