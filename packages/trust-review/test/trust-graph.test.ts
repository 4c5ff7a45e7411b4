import { fileURLToPath } from 'node:url';
import { loadTrustSurface, type Statement, type TrustSurface } from '@airlock/cloud-assembly';
import { loadEnvironment } from '@airlock/shared/environment';
import { describe, expect, it } from 'vitest';
import { organizationGuardrails } from '@airlock/shared/organization-guardrails';
import { pictureGraph, toDot, toMermaid, trustGraph } from '../src/trust-graph.js';

// Templates synthesized by the apps' `synth` targets (the test target depends on them).
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
const surface = loadTrustSurface(loadEnvironment('example'), workspaceRoot);
const graph = trustGraph(surface);

const labelOf = (id: string) => graph.nodes.find((n) => n.id === id)?.label;
/** The condition labels of every edge into the role whose name ends with `roleName`. */
const edgesInto = (roleName: RegExp) =>
  graph.edges.filter((e) => roleName.test(labelOf(e.to) ?? '')).map((e) => ({ from: labelOf(e.from), label: e.label }));

describe('the trust picture', () => {
  it('labels each Lambda edge with the one condition its trust checks (SourceAccount, no SourceArn)', () => {
    for (const step of ['Prepare', 'Finalize', 'Purge'])
      expect(edgesInto(new RegExp(`-data-${step}Role`))).toEqual([
        { from: 'lambda.amazonaws.com', label: 'aws:SourceAccount = data' },
      ]);
  });

  it('labels each cross-account hop with its principal and ExternalId, outside the accounts’ boxes', () => {
    const label =
      'aws:PrincipalArn = orchestrator:role/airlock-example-orchestrator\\nsts:ExternalId = orchestrator:stateMachine:airlock-example-analysis';
    for (const target of [/-sandbox-launcher$/, /-data-invoker$/])
      expect(edgesInto(target)).toEqual([{ from: 'airlock-example-orchestrator', label }]);
    const dot = toDot(surface, organizationGuardrails(surface.env));
    expect(dot.match(/conditions_\d+ \[label="aws:PrincipalArn = orchestrator:role\//g)).toHaveLength(2);
    expect(dot).not.toMatch(/-> n\w+ \[label="aws:PrincipalArn/);
  });

  it('names the account of a principal outside the role’s account, and marks an unknown account', () => {
    const stranger: Statement = {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999999999999:role/stranger' },
      Action: 'sts:AssumeRole',
    };
    const foreign: TrustSurface = {
      ...surface,
      roles: surface.roles.map((r) =>
        r.name === 'airlock-example-sandbox-launcher'
          ? { ...r, trust: { ...r.trust, Statement: [...r.trust.Statement, stranger] } }
          : r,
      ),
    };
    expect(trustGraph(foreign).nodes.find((n) => n.label.startsWith('role/stranger'))).toEqual(
      expect.objectContaining({ label: 'role/stranger\\n(account 999999999999)', shape: 'external' }),
    );
    expect(graph.nodes.filter((n) => n.shape === 'provider').map((n) => n.label)).toEqual(
      expect.arrayContaining([
        'OIDC token.actions.githubusercontent.com\\n(sandbox 222222222222)',
        'OIDC token.actions.githubusercontent.com\\n(data 333333333333)',
      ]),
    );
  });

  it('draws a legend of its shapes and labels', () => {
    const dot = toDot(surface, organizationGuardrails(surface.env));
    expect(dot).toContain('subgraph cluster_legend');
    for (const shape of [
      'IAM role',
      'AWS service principal',
      'OIDC identity provider',
      'principal outside',
      'state machine',
      'task definition',
      'VPC, security group',
      'SCP or RCP',
    ])
      expect(dot).toContain(`label="${shape}`);
  });

  it('draws the same nodes and edges in report.md’s Mermaid as in the SVG: state machines, Credentials, network, guardrails', () => {
    const guardrails = organizationGuardrails(surface.env);
    const { nodes, edges } = pictureGraph(surface, guardrails);
    const mermaid = toMermaid(surface, guardrails);
    const dot = toDot(surface, guardrails);
    for (const n of nodes) {
      expect(mermaid, n.id).toMatch(new RegExp(`^\\s+${n.id}[\\[({>]`, 'm'));
      expect(dot, n.id).toMatch(new RegExp(`^\\s+${n.id} \\[label=`, 'm'));
    }
    expect(nodes.map((n) => n.shape)).toEqual(
      expect.arrayContaining(['stateMachine', 'taskDefinition', 'network', 'endpoint', 'guardrail']),
    );
    const credentials = edges.filter((e) => e.style === 'credentials');
    expect(credentials.length).toBeGreaterThan(0);
    for (const e of credentials) expect(mermaid).toContain(`${e.from} ==>|`);
    expect(mermaid.match(/-->|==>|-\.->|---/g)).toHaveLength(edges.length);
  });
});
