import { ACCOUNT_ROLES } from '@airlock/shared/environment';
import { accountOfArn, asList, principalsOf, type Statement } from '@airlock/cloud-assembly';
import type { TrustSurface } from '@airlock/cloud-assembly';

interface Node {
  readonly id: string;
  readonly label: string;
  readonly account: string | undefined;
  readonly shape: 'role' | 'service' | 'provider' | 'external';
}
interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

const nodeId = (value: string) => `n${value.replace(/[^A-Za-z0-9]/g, '_')}`;

const OPERATOR_SIGNS: Record<string, string> = {
  StringEquals: '=',
  ArnEquals: '=',
  StringLike: '~',
  ArnLike: '~',
};

/**
 * Every condition of a trust statement, one per line, as `key = value` (or `~` for a pattern): exactly what the
 * trust policy checks, no more. Account IDs are named; ARNs keep their resource part.
 */
function conditionLines(statement: Statement, nameAccount: (id: string) => string): string[] {
  const short = (value: string) => {
    const arn = /^arn:[^:]+:[^:]*:[^:]*:(\d{12})?:(.+)$/.exec(value);
    if (arn) return `${arn[1] ? `${nameAccount(arn[1])}:` : ''}${arn[2]}`;
    return /^\d{12}$/.test(value) ? nameAccount(value) : value;
  };
  return Object.entries(statement.Condition ?? {}).flatMap(([operator, keys]) =>
    Object.entries(keys).map(
      ([key, value]) =>
        `${key} ${OPERATOR_SIGNS[operator] ?? operator} ${asList(value as string | string[])
          .map(short)
          .join(' | ')}`,
    ),
  );
}

/** Roles and the principals that may assume them; each edge is labelled with the conditions its trust checks. */
export function trustGraph(surface: TrustSurface): { nodes: Node[]; edges: Edge[] } {
  const nodes = new Map<string, Node>();
  const edges: Edge[] = [];
  const accountOfId = (id: string) => ACCOUNT_ROLES.find((a) => surface.env.accounts[a] === id);
  const nameAccount = (id: string) => accountOfId(id) ?? `account ${id}`;
  for (const role of surface.roles)
    nodes.set(role.arn, { id: nodeId(role.arn), label: role.name, account: role.account, shape: 'role' });
  for (const role of surface.roles) {
    for (const s of role.trust.Statement.filter((st) => st.Effect === 'Allow')) {
      const principalArn = s.Condition?.ArnEquals?.['aws:PrincipalArn'];
      for (const p of principalsOf(s)) {
        // A root principal narrowed to one role is drawn from that role.
        const source =
          typeof principalArn === 'string'
            ? principalArn
            : p.kind === 'Service'
              ? `${role.account}:${p.value}`
              : p.value;
        if (!nodes.has(source)) {
          const principalAccount = accountOfArn(source);
          const knownAccount = principalAccount ? accountOfId(principalAccount) : undefined;
          const shape =
            p.kind === 'Service' ? 'service' : p.kind === 'Federated' ? 'provider' : knownAccount ? 'role' : 'external';
          const name =
            p.kind === 'Federated'
              ? `OIDC ${source.replace(/^.*oidc-provider\//, '')}`
              : source.replace(/^arn:[^:]+:iam::\d{12}:/, '');
          // A principal outside the role's own account says which account it is in.
          const label =
            p.kind === 'Service'
              ? p.value
              : principalAccount
                ? `${name}\\n(${knownAccount ? `${knownAccount} ${principalAccount}` : `account ${principalAccount}`})`
                : name;
          nodes.set(source, {
            id: nodeId(source),
            label,
            account: p.kind === 'Service' || p.kind === 'Federated' ? role.account : knownAccount,
            shape,
          });
        }
        const conditions = conditionLines(s, nameAccount);
        edges.push({
          from: nodeId(source),
          to: nodeId(role.arn),
          label:
            conditions.length > 0
              ? conditions.join('\\n')
              : /:role\//.test(source)
                ? 'this exact role, no condition'
                : 'NO CONDITION',
        });
      }
    }
  }
  return { nodes: [...nodes.values()], edges };
}

const DOT_SHAPES = {
  role: 'box, style="rounded"',
  service: 'ellipse',
  provider: 'hexagon',
  external: 'octagon, color=red',
};

// What the picture's shapes and edge labels mean, drawn beside it.
const LEGEND = [
  '  subgraph cluster_legend { label="legend"; style=dashed; fontsize=10;',
  '    legend_role [label="IAM role", shape=box, style="rounded"];',
  '    legend_service [label="AWS service principal", shape=ellipse];',
  '    legend_provider [label="OIDC identity provider", shape=hexagon];',
  '    legend_external [label="principal outside\\nthe three accounts", shape=octagon, color=red];',
  '    legend_edge [shape=note, label="arrow: the source may assume the target role\\nlabel: every condition its trust policy checks\\n(dashed box: the same, on an arrow between accounts)\\n= equals, ~ matches a pattern\\nNO CONDITION: nothing narrows the principal", fontsize=9];',
  '    legend_role -> legend_service -> legend_provider -> legend_external -> legend_edge [style=invis];',
  '  }',
];

export function toDot(surface: TrustSurface): string {
  const { nodes, edges } = trustGraph(surface);
  const lines = [
    'digraph trust {',
    '  rankdir=LR; fontname="Helvetica"; nodesep=0.3; ranksep=2.2; newrank=true;',
    '  node [fontname="Helvetica", fontsize=10, margin="0.25,0.06"]; edge [fontname="Helvetica", fontsize=8, labelfloat=false];',
    ...LEGEND,
  ];
  for (const account of ACCOUNT_ROLES) {
    lines.push(
      `  subgraph cluster_${account} { label="${account} account (${surface.env.accounts[account]})"; style=rounded;`,
    );
    for (const n of nodes.filter((x) => x.account === account))
      lines.push(`    ${n.id} [label="${n.label}", shape=${DOT_SHAPES[n.shape]}];`);
    lines.push('  }');
  }
  for (const n of nodes.filter((x) => x.account === undefined))
    lines.push(`  ${n.id} [label="${n.label}", shape=${DOT_SHAPES[n.shape]}];`);
  const accountOf = new Map(nodes.map((n) => [n.id, n.account]));
  edges.forEach((e, i) => {
    if (accountOf.get(e.from) === accountOf.get(e.to)) {
      lines.push(`  ${e.from} -> ${e.to} [label="${e.label}"];`);
      return;
    }
    // Between two accounts' boxes an edge label lands on a box's border; a node outside every box cannot.
    lines.push(
      `  conditions_${i} [label="${e.label}", shape=box, style=dashed, fontsize=8];`,
      `  ${e.from} -> conditions_${i} [arrowhead=none];`,
      `  conditions_${i} -> ${e.to};`,
    );
  });
  lines.push('}');
  return lines.join('\n');
}

export function toMermaid(surface: TrustSurface): string {
  const { nodes, edges } = trustGraph(surface);
  const shape = (n: Node) => {
    const label = n.label.replace(/\\n/g, ' ');
    return n.shape === 'role' ? `["${label}"]` : n.shape === 'service' ? `(["${label}"])` : `{{"${label}"}}`;
  };
  const lines = ['flowchart LR'];
  for (const account of ACCOUNT_ROLES) {
    lines.push(`  subgraph ${account}["${account} account"]`);
    for (const n of nodes.filter((x) => x.account === account)) lines.push(`    ${n.id}${shape(n)}`);
    lines.push('  end');
  }
  for (const n of nodes.filter((x) => x.account === undefined)) lines.push(`  ${n.id}${shape(n)}`);
  for (const e of edges) lines.push(`  ${e.from} -- "${e.label.replace(/\\n/g, ', ')}" --> ${e.to}`);
  return lines.join('\n');
}
