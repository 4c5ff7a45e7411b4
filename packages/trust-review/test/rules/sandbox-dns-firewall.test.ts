import { describe, expect, it } from 'vitest';
import { sandboxDnsFirewall } from '../../src/rules/sandbox-dns-firewall.js';
import { networkResource, sandboxNetworkResources, surfaceOf } from './surface.js';

const ALLOWED = [
  's3.eu-west-1.amazonaws.com',
  '*.s3.eu-west-1.amazonaws.com',
  'api.ecr.eu-west-1.amazonaws.com',
  '*.dkr.ecr.eu-west-1.amazonaws.com',
  'logs.eu-west-1.amazonaws.com',
];
const firewall = (allowed: string[], rules: Array<Record<string, unknown>>) => [
  ...sandboxNetworkResources(),
  networkResource('AWS::Route53Resolver::FirewallDomainList', 'Allowed', { Domains: allowed }),
  networkResource('AWS::Route53Resolver::FirewallDomainList', 'All', { Domains: ['*'] }),
  networkResource('AWS::Route53Resolver::FirewallRuleGroup', 'Rules', { FirewallRules: rules }),
];
const allowThenBlock = [
  { Priority: 100, Action: 'ALLOW', FirewallDomainListId: 'Allowed.Id' },
  { Priority: 200, Action: 'BLOCK', BlockResponse: 'NXDOMAIN', FirewallDomainListId: 'All.Id' },
];
const messagesOf = (network: ReturnType<typeof firewall>) =>
  sandboxDnsFirewall
    .check(surfaceOf({ networkResources: network }))
    .map((v) => (v.compliance === 'non-compliant' ? v.message : v.compliance));

describe('sandbox-dns-firewall', () => {
  it("is compliant for the runner's names allowed, then everything blocked", () => {
    expect(messagesOf(firewall(ALLOWED, allowThenBlock))).toEqual(['compliant']);
  });

  it('fails a widened allow-list, a missing catch-all BLOCK, and a BLOCK ordered after an ALLOW of everything', () => {
    expect(messagesOf(firewall([...ALLOWED, '*.'], allowThenBlock))).toEqual([
      'rule 100 allows *., which the runner does not resolve',
    ]);
    expect(messagesOf(firewall(ALLOWED, allowThenBlock.slice(0, 1)))).toEqual([
      'has no BLOCK rule for every domain (*) after its allowed names',
    ]);
    expect(
      messagesOf(
        firewall(ALLOWED, [{ Priority: 50, Action: 'ALLOW', FirewallDomainListId: 'All.Id' }, ...allowThenBlock]),
      ),
    ).toEqual(['rule 50 allows *, which the runner does not resolve']);
  });

  it('fails a domain list the template does not hold and mutation protection off', () => {
    const network = firewall(ALLOWED, [
      { Priority: 100, Action: 'ALLOW', FirewallDomainListId: 'rslvr-fdl-elsewhere' },
      allowThenBlock[1]!,
    ]).map((r) =>
      r.logicalId === 'DnsFirewall' ? { ...r, properties: { ...r.properties, MutationProtection: 'DISABLED' } } : r,
    );
    expect(messagesOf(network)).toEqual([
      'has mutation protection off, so the association can be changed outside this stack',
      'rule 100 uses domain list "rslvr-fdl-elsewhere", whose domains the template does not hold',
    ]);
  });
});
