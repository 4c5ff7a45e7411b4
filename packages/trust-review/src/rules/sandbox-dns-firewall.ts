import type { NetworkResourceModel } from '@airlock/cloud-assembly';
import { defineRule, verdictsFor } from './define-rule.js';
import { logicalIdOf, sandboxNetwork } from './sandbox-topology.js';

/**
 * The names the runner resolves, as the sandbox template synthesizes them: S3 (path and virtual-hosted style), ECR's
 * API and registry, CloudWatch Logs. Every other query must be blocked, or DNS is a channel out of the VPC.
 */
const allowedDomains = (region: string): readonly string[] => [
  `s3.${region}.amazonaws.com`,
  `*.s3.${region}.amazonaws.com`,
  `api.ecr.${region}.amazonaws.com`,
  `*.dkr.ecr.${region}.amazonaws.com`,
  `logs.${region}.amazonaws.com`,
];

interface FirewallRule {
  Priority?: unknown;
  Action?: unknown;
  FirewallDomainListId?: unknown;
}

/** Why the rule group does not answer NXDOMAIN for everything but the allowed names, in priority order. */
function ruleGroupProblems(
  group: NetworkResourceModel,
  network: readonly NetworkResourceModel[],
  allowed: readonly string[],
): string[] {
  const listed = (group.properties.FirewallRules as FirewallRule[] | undefined) ?? [];
  // CloudFormation orders rules by the value of Priority: a priority the template does not hold as a number (a Ref,
  // a parameter) or one given twice leaves the order unknown here.
  const priorities = listed.map((r) => r.Priority);
  if (!priorities.every((p) => Number.isInteger(p)) || new Set(priorities).size !== priorities.length)
    return [
      `has rule priorities ${JSON.stringify(priorities)}: each must be a distinct literal integer for their order to be reviewed`,
    ];
  const rules = listed.slice().sort((a, b) => Number(a.Priority) - Number(b.Priority));
  const problems: string[] = [];
  for (const rule of rules) {
    const listId = logicalIdOf(rule.FirewallDomainListId, group.stack);
    const list = network.find((r) => r.type === 'AWS::Route53Resolver::FirewallDomainList' && r.logicalId === listId);
    const domains = list?.properties.Domains;
    // A list imported from S3 (DomainFileUrl) or defined elsewhere is not in the template: its contents are unknown.
    if (!list || !Array.isArray(domains) || list.properties.DomainFileUrl !== undefined) {
      problems.push(
        `rule ${String(rule.Priority)} uses domain list ${JSON.stringify(rule.FirewallDomainListId)}, whose domains the template does not hold`,
      );
      continue;
    }
    // Before the catch-all, anything but ALLOW answers queries it should not: ALERT only logs, and a BLOCK of some
    // names has no place before it either. Only ALLOW rules for the runner's names may come first.
    const catchAll = rule.Action === 'BLOCK' && domains.includes('*');
    if (!catchAll && rule.Action !== 'ALLOW')
      problems.push(
        `rule ${String(rule.Priority)} is ${String(rule.Action)} before the catch-all BLOCK: only ALLOW rules for the runner's names may precede it`,
      );
    if (rule.Action === 'ALLOW')
      problems.push(
        ...domains
          .filter((d) => !allowed.includes(String(d)))
          .map((d) => `rule ${String(rule.Priority)} allows ${String(d)}, which the runner does not resolve`),
      );
    // The catch-all: rules after it never match.
    if (catchAll) return problems;
  }
  return [...problems, 'has no BLOCK rule for every domain (*) after its allowed names'];
}

export const sandboxDnsFirewall = defineRule({
  id: 'sandbox-dns-firewall',
  invariant: 'I4, I5',
  explanation:
    'The DNS firewall rule group associated with each sandbox VPC allows only the AWS service names the runner ' +
    'resolves and then blocks every other domain, with mutation protection on, so the resolver is not a channel out.',
  check: (surface) => {
    const network = sandboxNetwork(surface);
    const allowed = allowedDomains(surface.env.region);
    return network
      .filter((r) => r.type === 'AWS::Route53Resolver::FirewallRuleGroupAssociation')
      .flatMap((association) => {
        const groupId = logicalIdOf(association.properties.FirewallRuleGroupId, association.stack);
        const group = network.find(
          (r) => r.type === 'AWS::Route53Resolver::FirewallRuleGroup' && r.logicalId === groupId,
        );
        return verdictsFor(
          { account: 'sandbox', subject: `DNS firewall ${association.logicalId}` },
          [
            association.properties.MutationProtection !== 'ENABLED' &&
              'has mutation protection off, so the association can be changed outside this stack',
            ...(group
              ? ruleGroupProblems(group, network, allowed)
              : [
                  `associates rule group ${JSON.stringify(association.properties.FirewallRuleGroupId)}, which the template does not hold`,
                ]),
          ].filter((p): p is string => typeof p === 'string'),
        );
      });
  },
});
