import { fileURLToPath } from 'node:url';
import { loadTrustSurface } from '@airlock/cloud-assembly';
import { loadEnvironment } from '@airlock/shared/environment';
import { organizationGuardrails } from '@airlock/shared/organization-guardrails';
import { describe, expect, it } from 'vitest';
import { toSvg } from '../src/trust-graph.js';
import { conservativeWidth, overflowingLabels } from './svg-label-fit.js';

// Templates synthesized by the apps' `synth` targets (the test target depends on them).
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
const env = loadEnvironment('example');
const surface = loadTrustSurface(env, workspaceRoot);
const guardrails = organizationGuardrails(env);

describe('the trust picture stays legible in any common sans-serif font', () => {
  it('keeps every node label inside its shape, every frame title inside its frame, and no edge label on another', async () => {
    expect(overflowingLabels(await toSvg(surface, guardrails))).toEqual([]);
  });

  it('asks for the font its boxes were measured in, then the common fallbacks', async () => {
    const families = new Set(
      [...(await toSvg(surface, guardrails)).matchAll(/font-family="([^"]*)"/g)].map((m) => m[1]),
    );
    expect([...families]).toEqual(['Verdana,DejaVu Sans,Helvetica,Arial,sans-serif']);
  });

  it('measures conservatively: wider than Helvetica, and than Verdana, the widest common sans font', () => {
    // Graphviz's own estimates at 10 pt for this text (its Helvetica and Verdana metrics).
    const text = 'RunUntrusted: states:startExecution.sync:2 WWW mmm';
    expect(conservativeWidth(text, 10)).toBeGreaterThan(287.25);
    expect(conservativeWidth(text, 10)).toBeGreaterThan(250.62 * 1.1);
  });

  it('finds a label that leaves its box, a title wider than its frame and overlapping edge labels', () => {
    const text = (x: number, y: number, label: string) =>
      `<text text-anchor="middle" x="${x}" y="${y}" font-family="Verdana" font-size="10.00">${label}</text>`;
    const svg = [
      '<svg>',
      '<g id="node1" class="node"><polygon points="0,-20 60,-20 60,0 0,0 0,-20"/>',
      text(30, -6, 'a label far wider than its box'),
      '</g>',
      '<g id="node2" class="node"><ellipse cx="200" cy="-10" rx="80" ry="12"/>',
      text(200, -6, 'fits'),
      '</g>',
      '<g id="clust1" class="cluster"><polygon points="0,-100 50,-100 50,-40 0,-40 0,-100"/>',
      text(25, -88, 'a frame title wider than its frame'),
      '</g>',
      '<g id="edge1" class="edge">',
      text(300, -50, 'first edge label'),
      '</g>',
      '<g id="edge2" class="edge">',
      text(305, -48, 'second edge label'),
      '</g>',
      '</svg>',
    ].join('\n');
    expect(overflowingLabels(svg)).toEqual([
      'node label "a label far wider than its box" leaves its shape',
      'frame title "a frame title wider than its frame" leaves its shape',
      'edge label "first edge label" overlaps "second edge label"',
    ]);
  });
});
