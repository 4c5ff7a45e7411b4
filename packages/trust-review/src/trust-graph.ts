import { instance } from '@viz-js/viz';
import { ACCOUNT_ROLES } from '@airlock/shared/environment';
import { accountOfArn, asList, principalsOf, type Statement } from '@airlock/cloud-assembly';
import type { TrustSurface } from '@airlock/cloud-assembly';
import type { Guardrail } from '@airlock/shared/organization-guardrails';
import { surfaceGraph } from './surface-graph.js';

export interface Node {
  readonly id: string;
  readonly label: string;
  readonly account: string | undefined;
  readonly shape:
    | 'role'
    | 'service'
    | 'provider'
    | 'external'
    | 'stateMachine'
    | 'taskDefinition'
    | 'network'
    | 'endpoint'
    | 'dnsFirewall'
    | 'guardrail'
    | 'identity';
  /** The box inside its account's frame that holds it; roles and principals have none. */
  readonly group?: 'workflows' | 'network' | 'guardrails';
  /** Shown on hover in the SVG: the full text a short label stands for. */
  readonly tooltip?: string;
  /** Drawn in red: something the design says must not be there (a route out, an unassociated DNS firewall). */
  readonly alarm?: boolean;
}
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** `trust` (the default): may assume; `credentials`: a task assumes the role; `runsAs`, `network`: context. */
  readonly style?: 'trust' | 'credentials' | 'runsAs' | 'network';
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

const DOT_SHAPES: Record<Node['shape'], string> = {
  role: 'box, style="rounded"',
  service: 'ellipse',
  provider: 'hexagon',
  external: 'octagon, color=red',
  stateMachine: 'component, style=filled, fillcolor="#e8f0fe"',
  taskDefinition: 'box3d, style=filled, fillcolor="#fff4e0"',
  network: 'box, style=filled, fillcolor="#eef7ee"',
  endpoint: 'cds, style=filled, fillcolor="#eef7ee"',
  dnsFirewall: 'box, style="filled,bold", fillcolor="#eef7ee"',
  guardrail: 'note, style=filled, fillcolor="#fdecea"',
  identity: 'house, color=red',
};
const EDGE_STYLES: Record<NonNullable<Edge['style']>, string> = {
  trust: '',
  credentials: ', color="#1a55c0", penwidth=2, fontcolor="#1a55c0"',
  runsAs: ', style=dotted',
  network: ', color="#3c8c3c", arrowhead=none',
};
const GROUP_LABELS: Record<NonNullable<Node['group']>, string> = {
  workflows: 'state machines and the task they start',
  network: 'network',
  guardrails: 'organization guardrails (attached from the management account)',
};

// What the picture's shapes and edge labels mean, drawn beside it.
const LEGEND = [
  '  subgraph cluster_legend { label="legend"; style=dashed; fontsize=10;',
  '    legend_role [label="IAM role", shape=box, style="rounded"];',
  '    legend_service [label="AWS service principal", shape=ellipse];',
  '    legend_provider [label="OIDC identity provider", shape=hexagon];',
  '    legend_external [label="principal outside\\nthe three accounts", shape=octagon, color=red];',
  `    legend_state_machine [label="state machine:\\neach Task and its resource", shape=${DOT_SHAPES.stateMachine}];`,
  `    legend_task [label="task definition", shape=${DOT_SHAPES.taskDefinition}];`,
  `    legend_network [label="VPC, security group,\\nendpoint (its policy's Sids)", shape=${DOT_SHAPES.endpoint}];`,
  `    legend_guardrail [label="SCP or RCP:\\nwhat it denies", shape=${DOT_SHAPES.guardrail}];`,
  `    legend_identity [label="IAM user or group\\n(the design has none)", shape=${DOT_SHAPES.identity}];`,
  '    legend_edge [shape=note, label="plain arrow: the source may assume the target role\\nlabel: every condition its trust policy checks\\n(dashed box: the same, on an arrow between accounts)\\n= equals, ~ matches a pattern\\nNO CONDITION: nothing narrows the principal\\nblue arrow: a task\'s Credentials assume the role\\ndotted arrow: runs as / starts\\ngreen line: network placement\\nRED or CAPITALS: what the design forbids", fontsize=9];',
  '    legend_role -> legend_service -> legend_provider -> legend_external -> legend_state_machine -> legend_task -> legend_network -> legend_guardrail -> legend_identity -> legend_edge [style=invis];',
  '  }',
];

/**
 * Graphviz sizes every box from the metrics of the font it is told; Verdana is the widest common sans-serif font, so a
 * label measured in it fits in whichever one the reader's machine draws (Helvetica, Arial, DejaVu Sans are narrower or
 * within the margin). The SVG asks for that font first, then the others.
 */
const LAYOUT_FONT = 'Verdana';
const FONT_STACK = 'Verdana,DejaVu Sans,Helvetica,Arial,sans-serif';

const quoted = (text: string) => text.replace(/"/g, '\\"');
const dotNode = (n: Node, indent: string) =>
  `${indent}${n.id} [label="${quoted(n.label)}", shape=${DOT_SHAPES[n.shape]}${n.alarm ? ', color=red, fontcolor=red' : ''}${
    n.tooltip ? `, tooltip="${quoted(n.tooltip).replace(/\n/g, '\\n')}"` : ''
  }];`;

/** The whole picture in Graphviz DOT: roles and trust, and with them each account's workflows, network and guardrails. */
/** Everything the picture draws, whichever way it is drawn (SVG, Mermaid): roles and trust, then the rest of the surface. */
export function pictureGraph(
  surface: TrustSurface,
  guardrails: readonly Guardrail[],
): { nodes: Node[]; edges: Edge[] } {
  const trust = trustGraph(surface);
  const rest = surfaceGraph(surface, guardrails);
  return {
    nodes: [...trust.nodes, ...rest.nodes.filter((n) => !trust.nodes.some((t) => t.id === n.id))],
    edges: [...trust.edges, ...rest.edges],
  };
}

export function toDot(surface: TrustSurface, guardrails: readonly Guardrail[]): string {
  const { nodes, edges } = pictureGraph(surface, guardrails);
  const lines = [
    'digraph trust {',
    `  rankdir=LR; fontname="${LAYOUT_FONT}"; nodesep=0.3; ranksep=1.2; newrank=true;`,
    `  node [fontname="${LAYOUT_FONT}", fontsize=10, margin="0.25,0.06"]; edge [fontname="${LAYOUT_FONT}", fontsize=8, labelfloat=false];`,
    ...LEGEND,
  ];
  for (const account of ACCOUNT_ROLES) {
    lines.push(
      `  subgraph cluster_${account} { label="${account} account (${surface.env.accounts[account]})"; style=rounded;`,
    );
    const own = nodes.filter((x) => x.account === account);
    for (const n of own.filter((x) => x.group === undefined)) lines.push(dotNode(n, '    '));
    for (const group of Object.keys(GROUP_LABELS) as Array<keyof typeof GROUP_LABELS>) {
      const members = own.filter((x) => x.group === group);
      if (members.length === 0) continue;
      lines.push(
        `    subgraph cluster_${account}_${group} { label="${GROUP_LABELS[group]}"; style=dashed; fontsize=9;`,
      );
      for (const n of members) lines.push(dotNode(n, '      '));
      lines.push('    }');
    }
    lines.push('  }');
  }
  for (const n of nodes.filter((x) => x.account === undefined)) lines.push(dotNode(n, '  '));
  const accountOf = new Map(nodes.map((n) => [n.id, n.account]));
  edges.forEach((e, i) => {
    const style = EDGE_STYLES[e.style ?? 'trust'];
    if (accountOf.get(e.from) === accountOf.get(e.to)) {
      lines.push(`  ${e.from} -> ${e.to} [label="${quoted(e.label)}"${style}];`);
      return;
    }
    // Between two accounts' boxes an edge label lands on a box's border; a node outside every box cannot.
    lines.push(
      `  conditions_${i} [label="${quoted(e.label)}", shape=box, style=dashed, fontsize=8];`,
      `  ${e.from} -> conditions_${i} [arrowhead=none${style}];`,
      `  conditions_${i} -> ${e.to} [label=""${style}];`,
    );
  });
  lines.push('}');
  return lines.join('\n');
}

/** The picture as SVG, laid out offline by Graphviz compiled to WebAssembly. */
export async function toSvg(surface: TrustSurface, guardrails: readonly Guardrail[]): Promise<string> {
  const svg = (await instance()).renderString(toDot(surface, guardrails), { format: 'svg' });
  return svg.replaceAll(`font-family="${LAYOUT_FONT}"`, `font-family="${FONT_STACK}"`);
}

const MERMAID_SHAPES: Record<Node['shape'], (label: string) => string> = {
  role: (l) => `["${l}"]`,
  service: (l) => `(["${l}"])`,
  provider: (l) => `{{"${l}"}}`,
  external: (l) => `{{"${l}"}}`,
  stateMachine: (l) => `[["${l}"]]`,
  taskDefinition: (l) => `[/"${l}"/]`,
  network: (l) => `["${l}"]`,
  endpoint: (l) => `>"${l}"]`,
  dnsFirewall: (l) => `["${l}"]`,
  guardrail: (l) => `["${l}"]`,
  identity: (l) => `{{"${l}"}}`,
};
const MERMAID_ARROWS: Record<NonNullable<Edge['style']>, string> = {
  trust: '-->',
  credentials: '==>',
  runsAs: '-.->',
  network: '---',
};
/** A DOT label as Mermaid text: its line breaks (centred or left-aligned) as `<br/>`, quotes escaped. */
const mermaidText = (label: string) =>
  label
    .replace(/\\[nl]$/, '')
    .replace(/\\[nl]/g, '<br/>')
    .replace(/"/g, '#quot;');

/** The same picture as the SVG (the same nodes and edges, from `pictureGraph`), as Mermaid for Markdown viewers. */
export function toMermaid(surface: TrustSurface, guardrails: readonly Guardrail[]): string {
  const { nodes, edges } = pictureGraph(surface, guardrails);
  const shape = (n: Node) => `${n.id}${MERMAID_SHAPES[n.shape](mermaidText(n.label))}`;
  const lines = ['flowchart LR'];
  for (const account of ACCOUNT_ROLES) {
    lines.push(`  subgraph ${account}["${account} account"]`);
    const own = nodes.filter((x) => x.account === account);
    for (const n of own.filter((x) => x.group === undefined)) lines.push(`    ${shape(n)}`);
    for (const group of Object.keys(GROUP_LABELS) as Array<keyof typeof GROUP_LABELS>) {
      const members = own.filter((x) => x.group === group);
      if (members.length === 0) continue;
      lines.push(`    subgraph ${account}_${group}["${GROUP_LABELS[group]}"]`);
      for (const n of members) lines.push(`      ${shape(n)}`);
      lines.push('    end');
    }
    lines.push('  end');
  }
  for (const n of nodes.filter((x) => x.account === undefined)) lines.push(`  ${shape(n)}`);
  for (const e of edges)
    lines.push(`  ${e.from} ${MERMAID_ARROWS[e.style ?? 'trust']}|"${mermaidText(e.label)}"| ${e.to}`);
  for (const n of nodes.filter((x) => x.alarm)) lines.push(`  style ${n.id} stroke:red,color:red`);
  return lines.join('\n');
}
