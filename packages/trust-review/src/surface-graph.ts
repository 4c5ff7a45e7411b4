import { VARIABLE } from '@airlock/contracts';
import type { AccountRole } from '@airlock/shared/environment';
import {
  asList,
  PATH_OUT_RESOURCE_TYPES,
  type NetworkResourceModel,
  type StateMachineModel,
  type TaskDefinitionModel,
  type TrustSurface,
} from '@airlock/cloud-assembly';
import type { Guardrail } from '@airlock/shared/organization-guardrails';
import { guardrailLines } from './guardrail-report.js';
import { statesOf, type State } from './rules/asl.js';
import type { Edge, Node } from './trust-graph.js';

// What the picture draws beside the roles: each account's state machines (and whose credentials their tasks use),
// the runner task definition, the VPCs (routes out, security groups, endpoints, DNS firewall) and the guardrails.

const nodeId = (value: string) => `n${value.replace(/[^A-Za-z0-9]/g, '_')}`;
/** A logical ID without CDK's 8-character hash: `NetworkTaskSecurityGroupFFE6B3AB` → `NetworkTaskSecurityGroup`. */
const shortId = (logicalId: string) => logicalId.replace(/[0-9A-F]{8}$/, '');
/** The part of an ARN after its account: `role/x`, `function:y`; a Step Functions integration keeps its service. */
const shortArn = (arn: string) =>
  arn.replace(/^arn:[^:]+:states:::/, '').replace(/^arn:[^:]+:[^:]*:[^:]*:\d{0,12}:/, '');
const URL_VARIABLES: readonly string[] = [VARIABLE.INPUT_URL, VARIABLE.OUTPUT_POST];
/** Resources that open a VPC to something outside it: any one of them is drawn as a route out. */
const PATHS_OUT: ReadonlySet<string> = new Set(PATH_OUT_RESOURCE_TYPES);

/** Graphviz id of a state machine, task definition, network resource or guardrail. */
export const stateMachineNodeId = (m: StateMachineModel) => nodeId(`${m.account}:stateMachine:${m.name}`);
export const taskDefinitionNodeId = (t: TaskDefinitionModel) => nodeId(`${t.account}:taskDefinition:${t.family}`);
export const networkNodeId = (r: { account: AccountRole; logicalId: string }) => nodeId(`${r.account}:${r.logicalId}`);
export const guardrailNodeId = (g: Guardrail) => nodeId(`guardrail:${g.name}`);

/** `DenyInternetGateways` → `internet gateways`: what a guardrail statement denies, in its Sid's words. */
const sidInWords = (sid: string) =>
  sid
    .replace(/^Deny/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();

function stateMachineGraph(surface: TrustSurface, knownRoles: ReadonlySet<string>): { nodes: Node[]; edges: Edge[] } {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  for (const machine of surface.stateMachines) {
    const id = stateMachineNodeId(machine);
    const tasks = statesOf(machine.definition).filter(([, s]) => s.Type === 'Task');
    nodes.push({
      id,
      account: machine.account,
      shape: 'stateMachine',
      group: 'workflows',
      label: [
        `state machine ${machine.name}`,
        ...(machine.unresolved ? [`UNREADABLE: ${machine.unresolved}`] : []),
        ...tasks.map(([path, s]) => `${path}: ${shortArn(String(s.Resource))}`),
      ].join('\\n'),
    });
    if (knownRoles.has(machine.roleArn))
      edges.push({ from: id, to: nodeId(machine.roleArn), label: 'runs as', style: 'runsAs' });
    // One edge per role a task's Credentials names, labelled with the tasks that assume it.
    const byRole = new Map<string, string[]>();
    for (const [path, s] of tasks) {
      const roleArn = (s.Credentials as { RoleArn?: unknown } | undefined)?.RoleArn;
      if (roleArn === undefined) continue;
      const key = typeof roleArn === 'string' ? roleArn : JSON.stringify(s.Credentials);
      byRole.set(key, [...(byRole.get(key) ?? []), path]);
    }
    for (const [roleArn, paths] of byRole) {
      if (!knownRoles.has(roleArn))
        nodes.push({
          id: nodeId(roleArn),
          label: `${roleArn}\\n(not in the templates)`,
          account: undefined,
          shape: 'external',
        });
      edges.push({
        from: id,
        to: nodeId(roleArn),
        label: `Credentials of ${paths.join(', ')}`,
        style: 'credentials',
      });
    }
    for (const [path, s] of tasks) {
      const taskDefinition = (s.Parameters as { TaskDefinition?: unknown } | undefined)?.TaskDefinition;
      const target = surface.taskDefinitions.find(
        (t) =>
          typeof taskDefinition === 'string' && new RegExp(`:task-definition/${t.family}(:|$)`).test(taskDefinition),
      );
      if (target) edges.push({ from: id, to: taskDefinitionNodeId(target), label: `${path} starts`, style: 'runsAs' });
    }
  }
  return { nodes, edges };
}

/** Per container of each launch RunTask, the URL variables its overrides give it. */
function urlsGiven(surface: TrustSurface): Map<string, string[]> {
  const given = new Map<string, string[]>();
  for (const machine of surface.stateMachines)
    for (const [, state] of statesOf(machine.definition)) {
      const overrides = (state as State & { Parameters?: { Overrides?: { ContainerOverrides?: unknown } } }).Parameters
        ?.Overrides?.ContainerOverrides;
      for (const o of asList(overrides as Array<{ Name?: string; Environment?: Array<{ Name?: string }> }>))
        for (const v of asList(o.Environment).filter((e) => URL_VARIABLES.includes(e.Name ?? '')))
          given.set(String(o.Name), [...(given.get(String(o.Name)) ?? []), String(v.Name)]);
    }
  return given;
}

function taskDefinitionGraph(surface: TrustSurface, knownRoles: ReadonlySet<string>): { nodes: Node[]; edges: Edge[] } {
  const urls = urlsGiven(surface);
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  for (const task of surface.taskDefinitions) {
    const id = taskDefinitionNodeId(task);
    const containers = task.containers.map((c) => {
      const gets = [...(urls.get(c.name) ?? []), ...c.environmentNames.filter((n) => URL_VARIABLES.includes(n))];
      // Two lines a container, so the box stays narrow enough for its text in any sans-serif font.
      return [
        [
          `${c.name}: user ${c.user ?? 'IMAGE DEFAULT'}`,
          c.readonlyRootFilesystem ? 'read-only root' : 'WRITABLE ROOT',
          ...(c.privileged ? ['PRIVILEGED'] : []),
        ].join(', '),
        `${c.name}: ${[
          c.addedCapabilities.length > 0 ? `ADDS ${c.addedCapabilities.join(' ')}` : 'no added capability',
          gets.length > 0 ? `gets a URL (${gets.join(', ')})` : 'no URL',
        ].join(', ')}`,
      ];
    });
    nodes.push({
      id,
      account: task.account,
      shape: 'taskDefinition',
      group: 'workflows',
      label: [
        `task definition ${task.family}`,
        `task role: ${task.taskRoleArn ? `${shortArn(task.taskRoleArn)} (A TASK ROLE)` : 'none'}`,
        `network mode ${task.networkMode ?? 'default'}, pid ${task.pidMode ?? 'own per container'}`,
        ...containers.flat(),
      ]
        .map((line) => `${line}\\l`)
        .join(''),
    });
    if (task.executionRoleArn && knownRoles.has(task.executionRoleArn))
      edges.push({ from: id, to: nodeId(task.executionRoleArn), label: 'pulls and logs as', style: 'runsAs' });
    if (task.taskRoleArn && knownRoles.has(task.taskRoleArn))
      edges.push({ from: id, to: nodeId(task.taskRoleArn), label: 'TASK ROLE', style: 'credentials' });
    // The security groups its RunTask places it in: the network the task lands in.
    for (const machine of surface.stateMachines)
      for (const [, s] of statesOf(machine.definition)) {
        const parameters = s.Parameters as
          | { TaskDefinition?: unknown; NetworkConfiguration?: { AwsvpcConfiguration?: { SecurityGroups?: unknown } } }
          | undefined;
        if (typeof parameters?.TaskDefinition !== 'string' || !parameters.TaskDefinition.includes(`/${task.family}`))
          continue;
        for (const group of asList(parameters.NetworkConfiguration?.AwsvpcConfiguration?.SecurityGroups as string[])) {
          const logicalId = String(group).replace(/\.GroupId$/, '');
          if (surface.networkResources.some((r) => r.account === task.account && r.logicalId === logicalId))
            edges.push({
              from: id,
              to: networkNodeId({ account: task.account, logicalId }),
              label: 'runs in',
              style: 'network',
            });
        }
      }
  }
  return { nodes, edges };
}

/** A security group rule as `443/tcp to <where>`; CDK's placeholder rule (no egress at all) is left out. */
function ruleText(rule: Record<string, unknown>, direction: 'to' | 'from'): string | undefined {
  if (rule.CidrIp === '255.255.255.255/32' && rule.IpProtocol === 'icmp') return undefined;
  const ports =
    rule.FromPort === rule.ToPort ? String(rule.FromPort ?? 'all') : `${String(rule.FromPort)}-${String(rule.ToPort)}`;
  const where =
    rule.CidrIp ??
    rule.CidrIpv6 ??
    rule.DestinationPrefixListId ??
    rule.SourcePrefixListId ??
    shortId(String(rule.DestinationSecurityGroupId ?? rule.SourceSecurityGroupId ?? '?').replace(/\.GroupId$/, ''));
  return `${ports}/${String(rule.IpProtocol)} ${direction} ${String(where)}`;
}

function networkGraph(surface: TrustSurface): { nodes: Node[]; edges: Edge[] } {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  const byType = (account: AccountRole, type: string) =>
    surface.networkResources.filter((r) => r.account === account && r.type === type);
  const props = (r: NetworkResourceModel) => r.properties as Record<string, unknown>;
  for (const vpc of surface.networkResources.filter((r) => r.type === 'AWS::EC2::VPC')) {
    const { account } = vpc;
    const pathsOut = surface.networkResources.filter((r) => r.account === account && PATHS_OUT.has(r.type));
    const flowLogs = byType(account, 'AWS::EC2::FlowLog');
    const subnets = byType(account, 'AWS::EC2::Subnet');
    nodes.push({
      id: networkNodeId(vpc),
      account,
      shape: 'network',
      group: 'network',
      label: [
        `VPC ${String(props(vpc).CidrBlock)}, ${subnets.length} subnets` +
          (subnets.some((s) => props(s).MapPublicIpOnLaunch === true) ? ', PUBLIC IPS' : ', no public IP'),
        flowLogs.length > 0
          ? `flow log: ${flowLogs.map((f) => String(props(f).TrafficType)).join(', ')} traffic`
          : 'NO FLOW LOG',
        ...(pathsOut.length === 0
          ? ['routes out: none (no internet, NAT or egress-only', 'gateway, peering, transit or VPN)']
          : pathsOut.map((r) => `ROUTE OUT: ${r.type.replace(/^AWS::EC2::/, '')} ${shortId(r.logicalId)}`)),
      ].join('\\n'),
      ...(pathsOut.length > 0 ? { alarm: true } : {}),
    });
    for (const group of byType(account, 'AWS::EC2::SecurityGroup')) {
      const own = (r: NetworkResourceModel) => String(props(r).GroupId).replace(/\.GroupId$/, '') === group.logicalId;
      const egress = [
        ...asList(props(group).SecurityGroupEgress as Array<Record<string, unknown>>).map((r) => ruleText(r, 'to')),
        ...byType(account, 'AWS::EC2::SecurityGroupEgress')
          .filter(own)
          .map((r) => ruleText(props(r), 'to')),
      ].filter((x): x is string => x !== undefined);
      const ingress = [
        ...asList(props(group).SecurityGroupIngress as Array<Record<string, unknown>>).map((r) => ruleText(r, 'from')),
        ...byType(account, 'AWS::EC2::SecurityGroupIngress')
          .filter(own)
          .map((r) => ruleText(props(r), 'from')),
      ].filter((x): x is string => x !== undefined);
      nodes.push({
        id: networkNodeId(group),
        account,
        shape: 'network',
        group: 'network',
        label: [
          `security group ${shortId(group.logicalId)}`,
          ...(egress.length > 0 ? egress.map((e) => `out ${e}`) : ['out: nothing']),
          ...(ingress.length > 0 ? ingress.map((e) => `in ${e}`) : ['in: nothing']),
        ].join('\\n'),
      });
    }
    for (const endpoint of byType(account, 'AWS::EC2::VPCEndpoint')) {
      const statements = asList(
        (props(endpoint).PolicyDocument as { Statement?: Array<{ Sid?: string }> } | undefined)?.Statement,
      );
      nodes.push({
        id: networkNodeId(endpoint),
        account,
        shape: 'endpoint',
        group: 'network',
        label: [
          `endpoint ${String(props(endpoint).ServiceName).replace(/^com\.amazonaws\.[^.]+\./, '')} (${String(props(endpoint).VpcEndpointType ?? 'Gateway')})`,
          statements.length > 0
            ? `policy: ${statements.map((s, i) => s.Sid ?? `statement ${i + 1}`).join(', ')}`
            : 'NO POLICY (full access)',
        ].join('\\n'),
      });
      for (const group of asList(props(endpoint).SecurityGroupIds as string[])) {
        const logicalId = String(group).replace(/\.GroupId$/, '');
        edges.push({
          from: networkNodeId({ account, logicalId }),
          to: networkNodeId(endpoint),
          label: '',
          style: 'network',
        });
      }
    }
    const domainList = (reference: unknown) => {
      const list = byType(account, 'AWS::Route53Resolver::FirewallDomainList').find(
        (l) => l.logicalId === String(reference).replace(/\.Id$/, ''),
      );
      if (!list) return `domain list ${String(reference)} (not in the template)`;
      const domains = asList(props(list).Domains as string[] | undefined);
      return domains.length > 2 ? `${domains.slice(0, 2).join(' ')} and ${domains.length - 2} more` : domains.join(' ');
    };
    for (const ruleGroup of byType(account, 'AWS::Route53Resolver::FirewallRuleGroup')) {
      const associations = byType(account, 'AWS::Route53Resolver::FirewallRuleGroupAssociation').filter(
        (a) => String(props(a).FirewallRuleGroupId).replace(/\.Id$/, '') === ruleGroup.logicalId,
      );
      nodes.push({
        id: networkNodeId(ruleGroup),
        account,
        shape: 'dnsFirewall',
        group: 'network',
        label: [
          `DNS firewall ${shortId(ruleGroup.logicalId)}`,
          ...asList(props(ruleGroup).FirewallRules as Array<Record<string, unknown>>)
            .sort((a, b) => Number(a.Priority) - Number(b.Priority))
            .map((r) => `${String(r.Priority)} ${String(r.Action)}: ${domainList(r.FirewallDomainListId)}`),
          ...(associations.length > 0
            ? associations.map(
                (a) =>
                  `associated, priority ${String(props(a).Priority)}, mutation protection ${String(props(a).MutationProtection ?? 'DISABLED')}`,
              )
            : ['NOT ASSOCIATED with any VPC']),
        ].join('\\n'),
        ...(associations.length === 0 ? { alarm: true } : {}),
      });
      edges.push({ from: networkNodeId(ruleGroup), to: networkNodeId(vpc), label: '', style: 'network' });
    }
  }
  return { nodes, edges };
}

function guardrailGraph(guardrails: readonly Guardrail[]): Node[] {
  return guardrails.map((g) => ({
    id: guardrailNodeId(g),
    account: g.account,
    shape: 'guardrail',
    group: 'guardrails',
    label: [`${g.kind} ${g.name} denies:`, ...g.document.Statement.map((s) => `  ${sidInWords(s.Sid)}`)]
      .map((line) => `${line}\\l`)
      .join(''),
    tooltip: guardrailLines(g).join('\n'),
  }));
}

/** Everything the picture draws besides the roles and their trust, from the synthesized surface and the guardrails. */
/**
 * IAM users and groups, which the design has none of: drawn in red in their account, each user with its access keys
 * and an arrow to each group it joins.
 */
function identityGraph(surface: TrustSurface): { nodes: Node[]; edges: Edge[] } {
  const idOf = (account: string, kind: string, name: string) =>
    `nidentity_${account}_${kind}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
  const nodes: Node[] = surface.identities.map((i) => {
    const keys = surface.accessKeys.filter((k) => k.account === i.account && k.userName === i.name).length;
    return {
      id: idOf(i.account, i.kind, i.name),
      account: i.account,
      shape: 'identity',
      alarm: true,
      label: `IAM ${i.kind.toUpperCase()} ${i.name}${keys > 0 ? `\\n${keys} ACCESS KEY${keys > 1 ? 'S' : ''}` : ''}`,
    };
  });
  const edges: Edge[] = surface.identities.flatMap((user) =>
    user.groups
      .filter((g) => surface.identities.some((i) => i.kind === 'group' && i.account === user.account && i.name === g))
      .map((g) => ({
        from: idOf(user.account, 'user', user.name),
        to: idOf(user.account, 'group', g),
        label: 'MEMBER OF',
      })),
  );
  return { nodes, edges };
}

export function surfaceGraph(
  surface: TrustSurface,
  guardrails: readonly Guardrail[],
): { nodes: Node[]; edges: Edge[] } {
  const knownRoles = new Set(surface.roles.map((r) => r.arn));
  const parts = [
    stateMachineGraph(surface, knownRoles),
    taskDefinitionGraph(surface, knownRoles),
    networkGraph(surface),
    identityGraph(surface),
  ];
  return {
    nodes: [...parts.flatMap((p) => p.nodes), ...guardrailGraph(guardrails)],
    edges: parts.flatMap((p) => p.edges),
  };
}
