import { ACCOUNT_ROLES } from '@airlock/shared/environment';
import { accountOfArn, principalsOf } from '@airlock/cloud-assembly';
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

/** Roles and the principals that may assume them; cross-account edges are labelled with their binding conditions. */
export function trustGraph(surface: TrustSurface): { nodes: Node[]; edges: Edge[] } {
  const nodes = new Map<string, Node>();
  const edges: Edge[] = [];
  const accountOfId = (id: string) => ACCOUNT_ROLES.find((a) => surface.env.accounts[a] === id);
  for (const role of surface.roles)
    nodes.set(role.arn, { id: nodeId(role.arn), label: role.name, account: role.account, shape: 'role' });
  for (const role of surface.roles) {
    for (const s of role.trust.Statement.filter((st) => st.Effect === 'Allow')) {
      const principalArn = s.Condition?.ArnEquals?.['aws:PrincipalArn'];
      const externalId = s.Condition?.StringEquals?.['sts:ExternalId'];
      for (const p of principalsOf(s)) {
        // A root principal narrowed to one role is drawn from that role.
        const source =
          typeof principalArn === 'string'
            ? principalArn
            : p.kind === 'Service'
              ? `${role.account}:${p.value}`
              : p.value;
        if (!nodes.has(source)) {
          const shape = p.kind === 'Service' ? 'service' : p.kind === 'Federated' ? 'provider' : 'external';
          const label = p.kind === 'Federated' ? 'GitHub OIDC' : p.value.replace(/^arn:[^:]+:iam::\d{12}:/, '');
          nodes.set(source, {
            id: nodeId(source),
            label,
            account: p.kind === 'Service' ? role.account : accountOfId(accountOfArn(p.value) ?? ''),
            shape,
          });
        }
        const labels = [
          externalId ? 'ExternalId = analysis SM' : '',
          typeof principalArn === 'string' ? 'PrincipalArn bound' : '',
          s.Condition?.StringEquals?.['token.actions.githubusercontent.com:sub']
            ? `sub = ${String(s.Condition.StringEquals['token.actions.githubusercontent.com:sub'])}`
            : '',
          s.Condition?.StringEquals?.['aws:SourceAccount'] ||
          s.Condition?.ArnEquals?.['aws:SourceArn'] ||
          s.Condition?.ArnLike?.['aws:SourceArn']
            ? 'SourceAccount/Arn bound'
            : '',
        ].filter(Boolean);
        edges.push({ from: nodeId(source), to: nodeId(role.arn), label: labels.join('\\n') || 'assume' });
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

export function toDot(surface: TrustSurface): string {
  const { nodes, edges } = trustGraph(surface);
  const lines = [
    'digraph trust {',
    '  rankdir=LR; fontname="Helvetica"; node [fontname="Helvetica", fontsize=10]; edge [fontname="Helvetica", fontsize=9];',
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
  for (const e of edges) lines.push(`  ${e.from} -> ${e.to} [label="${e.label}"];`);
  lines.push('}');
  return lines.join('\n');
}

export function toMermaid(surface: TrustSurface): string {
  const { nodes, edges } = trustGraph(surface);
  const shape = (n: Node) =>
    n.shape === 'role' ? `["${n.label}"]` : n.shape === 'service' ? `(["${n.label}"])` : `{{"${n.label}"}}`;
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
