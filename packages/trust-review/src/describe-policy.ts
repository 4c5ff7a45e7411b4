import { asList, principalsOf, type PolicyDocument, type Statement } from '@airlock/cloud-assembly';

const OPERATOR_WORDS: Record<string, string> = {
  StringEquals: 'is',
  ArnEquals: 'is',
  ArnLike: 'matches',
  StringLike: 'matches',
  Bool: 'is',
};
const SERVICE_NAMES: Record<string, string> = {
  'states.amazonaws.com': 'Step Functions',
  'lambda.amazonaws.com': 'Lambda',
  'ecs-tasks.amazonaws.com': 'ECS tasks',
  'vpc-flow-logs.amazonaws.com': 'VPC Flow Logs',
};

/** Each condition of a statement as `key is value`, `key matches pattern` or `key <Operator> value`. */
function conditionsInWords(statement: Statement): string[] {
  return Object.entries(statement.Condition ?? {}).flatMap(([operator, keys]) =>
    Object.entries(keys).map(
      ([key, value]) => `${key} ${OPERATOR_WORDS[operator] ?? operator} ${asList(value).join(' or ')}`,
    ),
  );
}

/** A permission statement in words: `Allow s3:GetObject on arn:…/uploads/*, only when …`. */
export function describeStatement(statement: Statement): string {
  const actions = statement.NotAction
    ? `every action except ${asList(statement.NotAction).join(', ')}`
    : asList(statement.Action).join(', ');
  const conditions = conditionsInWords(statement);
  return `${statement.Effect} ${actions} on ${asList(statement.Resource).join(', ') || '(no resource)'}${conditions.length ? `, only when ${conditions.join(' and ')}` : ''}`;
}

/** Who a trust statement admits and under which conditions, in plain words. */
export function describeTrust(statement: Statement): string {
  const who = principalsOf(statement).map((p) => {
    if (p.kind === 'Service') return `${SERVICE_NAMES[p.value] ?? 'the service'} (${p.value})`;
    if (p.kind === 'Federated') return `identities from ${p.value}`;
    if (p.value === '*') return 'anyone';
    const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(p.value);
    return root ? `any principal of account ${root[1]}` : p.value;
  });
  const conditions = conditionsInWords(statement);
  const verb = statement.Effect === 'Deny' ? 'Denies' : 'Admits';
  return `${verb} ${who.join(', ') || '(no principal)'}${conditions.length ? `, only when ${conditions.join(' and ')}` : ''} (${asList(statement.Action).join(', ')})`;
}

/** A policy's allowed actions grouped by resource set, e.g. `s3:GetObject on arn:…/uploads/*`. */
export function describePermissions(documents: readonly PolicyDocument[]): string[] {
  return documents.flatMap((d) =>
    d.Statement.map((s) => {
      const condition = s.Condition ? ` when ${JSON.stringify(s.Condition)}` : '';
      return `${s.Effect === 'Deny' ? 'DENY ' : ''}${asList(s.Action).join(', ')} on ${asList(s.Resource).join(', ')}${condition}`;
    }),
  );
}
