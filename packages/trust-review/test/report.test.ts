import { fileURLToPath } from 'node:url';
import { loadTrustSurface } from '@airlock/cloud-assembly';
import { loadEnvironment } from '@airlock/shared/environment';
import { organizationGuardrails } from '@airlock/shared/organization-guardrails';
import { describe, expect, it } from 'vitest';
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
});
