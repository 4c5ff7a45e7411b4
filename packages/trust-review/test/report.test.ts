import { fileURLToPath } from 'node:url';
import { loadTrustSurface } from '@airlock/cloud-assembly';
import { loadEnvironment } from '@airlock/shared/environment';
import { organizationGuardrails } from '@airlock/shared/organization-guardrails';
import { describe, expect, it } from 'vitest';
import { unguardedNetworkControls } from '../src/guardrail-report.js';
import { reportJson, reportMarkdown, type ReviewResult } from '../src/report.js';
import { networkResourceLines, stateMachineLines, taskDefinitionLines } from '../src/surface-lines.js';

// Templates synthesized by the apps' `synth` targets (the test target depends on them).
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
const env = loadEnvironment('example');
const surface = loadTrustSurface(env, workspaceRoot);
const result: ReviewResult = {
  surface,
  guardrails: organizationGuardrails(env),
  findings: [],
  simulation: [],
  drift: [],
};

describe('the report', () => {
  it('holds every state machine, task definition and network resource in report.json, as the baseline has them', () => {
    const json = reportJson(result) as {
      stateMachines: Array<{ name: string; lines: string[] }>;
      taskDefinitions: Array<{ family: string; lines: string[] }>;
      network: Array<{ logicalId: string; lines: string[] }>;
    };
    expect(json.stateMachines.map((m) => m.name)).toEqual(surface.stateMachines.map((m) => m.name));
    expect(json.stateMachines.map((m) => m.lines)).toEqual(surface.stateMachines.map(stateMachineLines));
    expect(json.taskDefinitions.map((t) => t.lines)).toEqual(surface.taskDefinitions.map(taskDefinitionLines));
    expect(json.network.map((r) => r.lines)).toEqual(surface.networkResources.map(networkResourceLines));
    expect(json.network.length).toBeGreaterThan(30);
  });

  it('prints them in report.md', () => {
    const markdown = reportMarkdown(result);
    for (const m of surface.stateMachines) {
      expect(markdown).toContain(`state machine ${m.name}`);
      for (const line of stateMachineLines(m)) expect(markdown).toContain(line);
    }
    for (const t of surface.taskDefinitions)
      for (const line of taskDefinitionLines(t)) expect(markdown).toContain(line);
    for (const r of surface.networkResources) expect(markdown).toContain(`${r.type} ${r.logicalId}`);
  });

  it("says which flow logs and DNS firewall associations no guardrail protects: the data account's, not the sandbox's", () => {
    const protectable = surface.networkResources.filter((r) =>
      ['AWS::EC2::FlowLog', 'AWS::Route53Resolver::FirewallRuleGroupAssociation'].includes(r.type),
    );
    const unguarded = unguardedNetworkControls(surface, result.guardrails);
    expect(unguarded).toHaveLength(protectable.filter((r) => r.account === 'data').length);
    expect(unguarded.length).toBeGreaterThanOrEqual(2);
    for (const line of unguarded) {
      expect(line).toMatch(
        /^data account: its (flow log|DNS firewall association) \w+ is not protected by a guardrail/,
      );
      expect(reportMarkdown(result)).toContain(`- ${line}`);
    }
    // Without the sandbox SCP's statements, the sandbox's flow log and association are named as well.
    const withoutSandboxScp = result.guardrails.map((g) =>
      g.account === 'sandbox' ? { ...g, document: { ...g.document, Statement: [] } } : g,
    );
    expect(unguardedNetworkControls(surface, withoutSandboxScp)).toHaveLength(protectable.length);
  });
});
