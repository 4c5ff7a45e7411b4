import { fileURLToPath } from 'node:url';
import { CONTAINER_VARIABLES, dataInvokerRoleArn, sandboxLauncherRoleArn, VARIABLE } from '@airlock/contracts';
import { asList, loadTrustSurface, type NetworkResourceModel, type TrustSurface } from '@airlock/cloud-assembly';
import { loadEnvironment } from '@airlock/shared/environment';
import { organizationGuardrails } from '@airlock/shared/organization-guardrails';
import { beforeAll, describe, expect, it } from 'vitest';
import { guardrailLines } from '../src/guardrail-report.js';
import { statesOf } from '../src/rules/asl.js';
import { networkNodeId, stateMachineNodeId, surfaceGraph } from '../src/surface-graph.js';
import { toSvg } from '../src/trust-graph.js';
import { scratch } from './scratch-workspace.js';

// Templates synthesized by the apps' `synth` targets (the test target depends on them).
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
const env = loadEnvironment('example');
const surface = loadTrustSurface(env, workspaceRoot);
const guardrails = organizationGuardrails(env);

const decode = (text: string) =>
  text
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** The picture as written to trust-graph.svg: every line of text it shows, and its tooltips. */
async function picture(of: TrustSurface) {
  const svg = await toSvg(of, guardrails);
  return {
    texts: [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1]!)),
    tooltips: [...svg.matchAll(/xlink:title="([^"]*)"/g)].map((m) => decode(m[1]!)),
  };
}

const withNetwork = (change: (resources: NetworkResourceModel[]) => NetworkResourceModel[]): TrustSurface => ({
  ...surface,
  networkResources: change([...surface.networkResources]),
});

let drawn: Awaited<ReturnType<typeof picture>>;
beforeAll(async () => {
  drawn = await picture(surface);
});

describe('the picture of the whole surface', () => {
  it('draws every state machine with each of its Task states', () => {
    expect(surface.stateMachines.length).toBeGreaterThanOrEqual(5);
    for (const machine of surface.stateMachines) {
      expect(drawn.texts).toContain(`state machine ${machine.name}`);
      for (const [path, state] of statesOf(machine.definition).filter(([, s]) => s.Type === 'Task'))
        expect(
          drawn.texts.some((t) => t.startsWith(`${path}: `) && t.endsWith(String(state.Resource).split(':').pop()!)),
        ).toBe(true);
    }
  });

  it('draws an arrow from a state machine to every role its tasks’ Credentials assume: the two hops', () => {
    const graph = surfaceGraph(surface, guardrails);
    const hops = surface.stateMachines.flatMap((machine) =>
      statesOf(machine.definition).flatMap(([path, s]) => {
        const roleArn = (s.Credentials as { RoleArn?: string } | undefined)?.RoleArn;
        return roleArn ? [{ machine, path, roleArn }] : [];
      }),
    );
    expect(new Set(hops.map((h) => h.roleArn))).toEqual(
      new Set([sandboxLauncherRoleArn(env), dataInvokerRoleArn(env)]),
    );
    for (const { machine, path, roleArn } of hops) {
      const edge = graph.edges.find(
        (e) => e.from === stateMachineNodeId(machine) && e.to === `n${roleArn.replace(/[^A-Za-z0-9]/g, '_')}`,
      );
      expect(edge?.label, `${machine.name} ${path} -> ${roleArn}`).toMatch(
        new RegExp(`^Credentials of .*\\b${path}\\b`),
      );
      expect(drawn.texts).toContain(edge!.label);
    }
  });

  it('draws the runner task definition: no task role, each container’s confinement, which containers get a URL', () => {
    const [task] = surface.taskDefinitions;
    expect(drawn.texts).toContain(`task definition ${task!.family}`);
    expect(drawn.texts).toContain('task role: none');
    for (const container of task!.containers) {
      const urls = asList<string>(
        CONTAINER_VARIABLES[container.name as keyof typeof CONTAINER_VARIABLES].perRun as unknown as string[],
      ).filter((v) => v === VARIABLE.INPUT_URL || v === VARIABLE.OUTPUT_POST);
      const at = drawn.texts.indexOf(`${container.name}: user ${container.user}, read-only root`);
      expect(at, container.name).toBeGreaterThan(-1);
      expect(drawn.texts[at + 1]).toBe(
        `${container.name}: no added capability, ${urls.length > 0 ? `gets a URL (${urls.join(', ')})` : 'no URL'}`,
      );
    }
  });

  it('says so in red capitals when the task gains a task role', async () => {
    const [task] = surface.taskDefinitions;
    const { texts } = await picture({
      ...surface,
      taskDefinitions: [{ ...task!, taskRoleArn: `arn:aws:iam::${env.accounts.sandbox}:role/oops` }],
    });
    expect(texts).toContain('task role: role/oops (A TASK ROLE)');
  });

  it('draws each VPC, security group, endpoint (its policy’s Sids) and DNS firewall of the templates', () => {
    const graph = surfaceGraph(surface, guardrails);
    const drawnIds = new Set(graph.nodes.map((n) => n.id));
    const kinds = [
      'AWS::EC2::VPC',
      'AWS::EC2::SecurityGroup',
      'AWS::EC2::VPCEndpoint',
      'AWS::Route53Resolver::FirewallRuleGroup',
    ];
    const expected = surface.networkResources.filter((r) => kinds.includes(r.type));
    expect(expected.filter((r) => r.account === 'sandbox').map((r) => r.type)).toEqual(expect.arrayContaining(kinds));
    for (const r of expected) expect(drawnIds, `${r.account} ${r.logicalId}`).toContain(networkNodeId(r));
    for (const endpoint of expected.filter((r) => r.type === 'AWS::EC2::VPCEndpoint')) {
      const sids = asList((endpoint.properties.PolicyDocument as { Statement: Array<{ Sid: string }> }).Statement).map(
        (s) => s.Sid,
      );
      expect(drawn.texts).toContain(`policy: ${sids.join(', ')}`);
    }
    expect(drawn.texts.filter((t) => t.startsWith('routes out: none'))).toHaveLength(
      expected.filter((r) => r.type === 'AWS::EC2::VPC').length,
    );
    expect(drawn.texts.filter((t) => /^associated, priority \d+, mutation protection ENABLED$/.test(t))).toHaveLength(
      expected.filter((r) => r.type === 'AWS::Route53Resolver::FirewallRuleGroup').length,
    );
  });

  it('draws a route to an internet gateway, and a DNS firewall left unassociated, as such', async () => {
    const vpc = surface.networkResources.find((r) => r.account === 'sandbox' && r.type === 'AWS::EC2::VPC')!;
    const { texts } = await picture(
      withNetwork((resources) => [
        ...resources.filter(
          (r) => !(r.account === 'sandbox' && r.type === 'AWS::Route53Resolver::FirewallRuleGroupAssociation'),
        ),
        { ...vpc, logicalId: 'OutRoute', type: 'AWS::EC2::Route', properties: { GatewayId: 'igw' } },
      ]),
    );
    expect(texts).toContain('ROUTE OUT: Route OutRoute');
    expect(texts).toContain('NOT ASSOCIATED with any VPC');
  });

  it('draws every guardrail in its account with what each statement denies, in full on hover', () => {
    const graph = surfaceGraph(surface, guardrails);
    expect(guardrails.map((g) => g.kind)).toEqual(expect.arrayContaining(['SCP', 'RCP']));
    for (const g of guardrails) {
      expect(graph.nodes.find((n) => n.label.startsWith(`${g.kind} ${g.name} denies:`))?.account).toBe(g.account);
      expect(drawn.texts).toContain(`${g.kind} ${g.name} denies:`);
      expect(drawn.texts.length).toBeGreaterThan(0);
      for (const s of g.document.Statement)
        expect(
          drawn.texts.some((t) => t.replace(/\s/g, '').toLowerCase() === s.Sid.replace(/^Deny/, '').toLowerCase()),
        ).toBe(true);
      expect(drawn.tooltips).toContain(guardrailLines(g).join('\n'));
    }
  });

  it('draws an IAM user in red in its account, with its access key and the group it joins', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      t.Resources.Intruder = { Type: 'AWS::IAM::User', Properties: { UserName: 'intruder', Groups: ['readers'] } };
      t.Resources.Readers = { Type: 'AWS::IAM::Group', Properties: { GroupName: 'readers' } };
      t.Resources.IntruderKey = { Type: 'AWS::IAM::AccessKey', Properties: { UserName: { Ref: 'Intruder' } } };
    });
    const withUser = ws.surface();
    const graph = surfaceGraph(withUser, guardrails);
    const user = graph.nodes.find((n) => n.label.startsWith('IAM USER intruder'));
    expect(user).toEqual(expect.objectContaining({ account: 'data', alarm: true }));
    const group = graph.nodes.find((n) => n.label === 'IAM GROUP readers');
    expect(graph.edges).toContainEqual({ from: user!.id, to: group!.id, label: 'MEMBER OF' });
    const { texts } = await picture(withUser);
    expect(texts).toEqual(
      expect.arrayContaining(['IAM USER intruder', '1 ACCESS KEY', 'IAM GROUP readers', 'MEMBER OF']),
    );
  });
});
