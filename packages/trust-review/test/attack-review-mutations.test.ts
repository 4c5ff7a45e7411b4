import { describe, expect, it } from 'vitest';
import { scratch, type Template } from './scratch-workspace.js';

// Template mutations an attack review found passing the rules, each widening the sandbox's access: each must be a
// finding now.
const ofType = (t: Template, type: string) => Object.values(t.Resources).filter((r) => r.Type === type);
const findingsOf = (ws: ReturnType<typeof scratch>, rule: string) => ws.ruleFindings().filter((f) => f.rule === rule);

/** The launch workflow's definition parts, with the Ref to the runner task definition replaced by `literal`. */
const pinTaskDefinition = (t: Template, literal: string) => {
  const machine = ofType(t, 'AWS::StepFunctions::StateMachine').find((r) =>
    JSON.stringify(r.Properties.DefinitionString).includes('ecs:runTask'),
  )!;
  const parts = machine.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  const at = parts.findIndex(
    (p) =>
      typeof p === 'object' && p !== null && String((p as { Ref?: string }).Ref).startsWith('RunnerTaskDefinition'),
  );
  parts[at] = literal;
};
describe('controls (these pass: the helpers do see findings)', () => {
  it('sees mutation protection off on the DNS firewall and an ALLOW of everything', () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => {
      ofType(t, 'AWS::Route53Resolver::FirewallRuleGroupAssociation')[0]!.Properties.MutationProtection = 'DISABLED';
    });
    expect(findingsOf(ws, 'sandbox-dns-firewall')).not.toEqual([]);
  });
  it("sees a RunTask pinned to another family's revision", () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => pinTaskDefinition(t, 'arn:aws:ecs:eu-west-1:222222222222:task-definition/other:8'));
    expect(findingsOf(ws, 'state-machine-tasks')).not.toEqual([]);
  });
  it("sees '*' on a Logs endpoint action", () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => {
      const logs = ofType(t, 'AWS::EC2::VPCEndpoint').find((e) =>
        JSON.stringify(e.Properties.ServiceName).includes('.logs'),
      )!;
      for (const s of logs.Properties.PolicyDocument.Statement) s.Resource = '*';
    });
    expect(findingsOf(ws, 'sandbox-vpc-endpoints')).not.toEqual([]);
  });
});

describe('sandbox-dns-firewall', () => {
  it('fails an ALERT rule on every domain ahead of the BLOCK (ALERT answers the query: every name resolves)', () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => {
      const group = ofType(t, 'AWS::Route53Resolver::FirewallRuleGroup')[0]!;
      const block = group.Properties.FirewallRules.find((r: { Action: string }) => r.Action === 'BLOCK');
      group.Properties.FirewallRules.unshift({
        Action: 'ALERT',
        FirewallDomainListId: block.FirewallDomainListId,
        Priority: 50,
      });
    });
    expect(findingsOf(ws, 'sandbox-dns-firewall')).not.toEqual([]);
  });

  it('fails a rule whose priority is not a literal number (CloudFormation orders by the value, the rule by array order)', () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => {
      (t as Template & { Parameters?: Record<string, unknown> }).Parameters = {
        ...(t as Template & { Parameters?: Record<string, unknown> }).Parameters,
        ExtraPriority: { Type: 'Number', Default: 50 },
      };
      const group = ofType(t, 'AWS::Route53Resolver::FirewallRuleGroup')[0]!;
      const block = group.Properties.FirewallRules.find((r: { Action: string }) => r.Action === 'BLOCK');
      group.Properties.FirewallRules.push({
        Action: 'ALLOW',
        FirewallDomainListId: block.FirewallDomainListId,
        Priority: { Ref: 'ExtraPriority' },
      });
    });
    expect(findingsOf(ws, 'sandbox-dns-firewall')).not.toEqual([]);
  });
});

describe('sandbox-vpc-endpoints', () => {
  it("fails a wildcard resource other than '*' in an interface endpoint policy (the Logs endpoint to any log group of any account)", () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => {
      const logs = ofType(t, 'AWS::EC2::VPCEndpoint').find((e) =>
        JSON.stringify(e.Properties.ServiceName).includes('.logs'),
      )!;
      for (const s of logs.Properties.PolicyDocument.Statement) s.Resource = 'arn:aws:logs:*:*:log-group:*';
    });
    expect(findingsOf(ws, 'sandbox-vpc-endpoints')).not.toEqual([]);
  });
});
