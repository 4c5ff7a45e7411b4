import { ACCOUNT_ROLES } from '@airlock/shared/environment';
import { guardrailFileName, guardrailLines, unguardedNetworkControls } from './guardrail-report.js';
import { describePermissions, describeTrust } from './describe-policy.js';
import type { Finding } from './rules/index.js';
import type { SimulationRow } from './simulation-matrix.js';
import { crossAccountTargets } from './simulation-matrix.js';
import { toMermaid } from './trust-graph.js';
import { urlReaders } from './url-readers.js';
import { whoCanLines, type WhoCanAnswer } from './who-can.js';
import { networkResourceLines, stateMachineLines, taskDefinitionLines } from './surface-lines.js';
import type { TrustSurface } from '@airlock/cloud-assembly';
import {
  guardrailText,
  ORGANIZATION_POLICY_MAX_CHARACTERS,
  type Guardrail,
} from '@airlock/shared/organization-guardrails';

export interface ReviewResult {
  readonly surface: TrustSurface;
  /** The organization guardrails generated from the environment (written beside the report, attached on AWS). */
  readonly guardrails: readonly Guardrail[];
  readonly findings: readonly Finding[];
  readonly simulation: readonly SimulationRow[];
  readonly drift: readonly string[];
}

/** The machine-readable report: everything report.md shows. */
export function reportJson(result: ReviewResult, whoCan: readonly WhoCanAnswer[] = []): object {
  const { surface } = result;
  return {
    environment: surface.env.environment,
    accounts: surface.env.accounts,
    roles: surface.roles.map((r) => ({
      account: r.account,
      name: r.name,
      arn: r.arn,
      generatedName: r.generatedName,
      usedBy: r.usedBy,
      whoCanAssume: r.trust.Statement.map(describeTrust),
      trust: r.trust,
      whatItCanDo: describePermissions(r.permissions.map((p) => p.document)),
      managedPolicyArns: r.managedPolicyArns,
    })),
    crossAccountHops: crossAccountTargets(surface).map((t) => ({
      target: t.arn,
      trust: t.trust.Statement.map(describeTrust),
    })),
    resourcePolicies: surface.resourcePolicies.map((p) => ({
      account: p.account,
      type: p.type,
      logicalId: p.logicalId,
      statements: p.policy.Statement.map(describeTrust),
    })),
    stateMachines: surface.stateMachines.map((m) => ({
      account: m.account,
      name: m.name,
      executionRole: m.roleArn,
      lines: stateMachineLines(m),
    })),
    taskDefinitions: surface.taskDefinitions.map((t) => ({
      account: t.account,
      family: t.family,
      lines: taskDefinitionLines(t),
    })),
    network: surface.networkResources.map((r) => ({
      account: r.account,
      type: r.type,
      logicalId: r.logicalId,
      lines: networkResourceLines(r),
    })),
    acknowledgements: surface.acknowledgements.map((a) => ({
      account: a.account,
      stack: a.stack,
      resource: a.logicalId,
      id: a.id,
      reason: a.reason,
    })),
    urlReaders: urlReaders(surface),
    whoCan,
    guardrails: result.guardrails.map((g) => ({
      name: g.name,
      kind: g.kind,
      account: g.account,
      accountId: surface.env.accounts[g.account],
      file: guardrailFileName(g),
      characters: guardrailText(g).length,
      maxCharacters: ORGANIZATION_POLICY_MAX_CHARACTERS,
      statements: guardrailLines(g),
      document: g.document,
    })),
    unguardedNetworkControls: unguardedNetworkControls(surface, result.guardrails),
    simulation: result.simulation,
    findings: result.findings,
    baselineDrift: result.drift,
  };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function reportMarkdown(result: ReviewResult, whoCan: readonly WhoCanAnswer[] = []): string {
  const { surface, findings, simulation, drift } = result;
  const passed = simulation.filter((r) => r.passed).length;
  const out: string[] = [
    `# Airlock trust review — environment \`${surface.env.environment}\``,
    '',
    `${surface.roles.length} roles in 3 accounts · ${crossAccountTargets(surface).length} cross-account hops · ` +
      `simulation ${passed}/${simulation.length} as expected · ${findings.length} findings · baseline ${drift.length === 0 ? 'matches' : `**drifted (${drift.length} changes)**`}`,
    '',
    '## Trust graph',
    '',
    "Roles and who may assume them, and in each account its state machines (thick arrows: the roles their tasks' " +
      'Credentials assume), the runner task definition, the network, the organization guardrails and any IAM user: ' +
      'the same nodes and edges as `trust-graph.svg` beside this file, which adds a legend and hover text.',
    '',
    '```mermaid',
    toMermaid(surface, result.guardrails),
    '```',
    '',
  ];
  for (const account of ACCOUNT_ROLES) {
    out.push(`## ${account} account (${surface.env.accounts[account]})`, '');
    for (const role of surface.roles.filter((r) => r.account === account)) {
      out.push(
        `### ${role.name}${role.generatedName ? ' (name generated at deploy)' : ''}`,
        '',
        `*Used by:* ${role.usedBy || '—'}`,
        '',
        '*Who can assume it:*',
        '',
      );
      for (const s of role.trust.Statement) out.push(`- ${describeTrust(s)}`);
      out.push('', '*What it can do:*', '');
      for (const line of describePermissions(role.permissions.map((p) => p.document))) out.push(`- ${line}`);
      for (const arn of role.managedPolicyArns) out.push(`- managed policy ${arn}`);
      out.push('');
    }
    const acks = surface.acknowledgements.filter((a) => a.account === account);
    if (acks.length > 0) {
      out.push(
        `### Acknowledged cdk-nag findings (${account})`,
        '',
        '| resource | finding | reason |',
        '| --- | --- | --- |',
      );
      for (const a of acks) out.push(`| ${a.stack}/${a.logicalId} | ${cell(a.id)} | ${cell(a.reason)} |`);
      out.push('');
    }
  }
  out.push('## Cross-account hops', '');
  for (const t of crossAccountTargets(surface)) {
    out.push(`- **${t.arn}**`);
    for (const s of t.trust.Statement) out.push(`  - ${describeTrust(s)}`);
  }
  out.push('', '## Resource policies', '');
  for (const p of surface.resourcePolicies) {
    out.push(
      `- ${p.account}: ${p.type} \`${p.logicalId}\`${p.isEndpointPolicy ? ' (endpoint policy: filters the network path)' : ''}`,
    );
    for (const s of p.policy.Statement) out.push(`  - ${describeTrust(s)} on ${JSON.stringify(s.Resource ?? '')}`);
  }
  out.push(
    '',
    '## State machines, task definitions and network',
    '',
    "Each Task's resource, Credentials and parameter keys, every edge of each workflow, the task definition's " +
      'security fields and every network resource, exactly as the baseline records them.',
  );
  const details = (title: string, lines: readonly string[]) =>
    out.push('', `<details><summary>${title}</summary>`, '', '```', ...lines, '```', '', '</details>');
  for (const m of surface.stateMachines)
    details(`${m.account}: state machine ${m.name} (runs as ${m.roleArn})`, stateMachineLines(m));
  for (const t of surface.taskDefinitions) details(`${t.account}: task definition ${t.family}`, taskDefinitionLines(t));
  for (const account of ACCOUNT_ROLES) {
    const resources = surface.networkResources.filter((r) => r.account === account);
    if (resources.length > 0)
      details(
        `${account}: network (${resources.length} resources)`,
        resources.flatMap((r) => [`${r.type} ${r.logicalId}`, ...networkResourceLines(r).map((l) => `  ${l}`)]),
      );
  }
  out.push('', "## Who can read a run's URLs", '', '| where | who | narrowed by |', '| --- | --- | --- |');
  for (const r of urlReaders(surface))
    out.push(`| ${cell(r.where)} | ${cell(r.readers.join(', ') || 'no one')} | ${cell(r.narrowedBy)} |`);
  if (whoCan.length > 0) {
    out.push(
      '',
      '## Who can reach the data, the target roles and the keys',
      '',
      "Each answer is the IAM simulator's, over every role of the three accounts, an administrator of each account and",
      'a principal of another account, in the most favourable context the policies involved describe; "only when"',
      'names the keys without which the request is denied. Ask any other question with',
      '`npm run review -- who-can <action> <resource ARN or pattern>`.',
      '',
      '```',
      ...whoCan.flatMap(whoCanLines),
      '```',
      '',
      'Not modeled:',
      ...[...new Set(whoCan.flatMap((a) => a.notModeled))].map((n) => `- ${n}`),
    );
  }
  out.push(
    '',
    '## Organization guardrails',
    '',
    'Generated from the environment into `guardrails/` beside this report, for a management-account administrator to ' +
      'attach (README, "Organization guardrails"). The simulation applies them (hops "… SCP" and "… RCP"); on AWS they ' +
      'hold only once attached.',
    '',
  );
  for (const g of result.guardrails) {
    out.push(
      `### ${g.name} (${g.kind}, on the ${g.account} account ${surface.env.accounts[g.account]})`,
      '',
      `\`guardrails/${guardrailFileName(g)}\`, ${guardrailText(g).length} of ${ORGANIZATION_POLICY_MAX_CHARACTERS} characters. ${g.description}.`,
      '',
    );
    for (const line of guardrailLines(g)) out.push(`- ${line}`);
    out.push('');
  }
  const unguarded = unguardedNetworkControls(surface, result.guardrails);
  if (unguarded.length > 0) {
    out.push('### Not protected by a guardrail', '');
    for (const line of unguarded) out.push(`- ${line}`);
    out.push('');
  }
  out.push(
    '## Simulation matrix',
    '',
    '| hop | case | action | expected | simulated | |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const r of simulation)
    out.push(
      `| ${cell(r.hop)} | ${cell(r.case)} | ${r.action} | ${r.expected} | ${cell(r.actual)} | ${r.passed ? '✓' : '✗'} |`,
    );
  out.push('', '## Findings', '');
  if (findings.length === 0) out.push('None.');
  for (const f of findings) out.push(`- **${f.rule}** (${f.account}) ${f.subject}: ${f.message}`);
  out.push('', '## Baseline', '');
  if (drift.length === 0) out.push('The synthesized trust surface matches `security/trust-baseline.json`.');
  for (const d of drift) out.push(`- ${d}`);
  return `${out.join('\n')}\n`;
}
