import type { Guardrail } from '@airlock/shared/organization-guardrails';
import { actionMatches, type Statement, type TrustSurface } from '@airlock/cloud-assembly';
import { describeStatement } from './describe-policy.js';

/** The file a guardrail is written to, beside the report; its content is exactly what Organizations stores. */
export const guardrailFileName = (guardrail: Guardrail): string => `${guardrail.name}.json`;

/** Each statement in words, after its Sid: `DenyTestState: Deny states:TestState on *`. */
export const guardrailLines = (guardrail: Guardrail): string[] =>
  guardrail.document.Statement.map(
    (st) =>
      `${st.Sid}: ${describeStatement(st as unknown as Statement)}${guardrail.kind === 'RCP' ? ' (to any principal)' : ''}`,
  );

/** The network controls whose removal ends a record or opens a channel, and the action that removes each. */
const REMOVED_BY: ReadonlyArray<{ readonly type: string; readonly what: string; readonly action: string }> = [
  { type: 'AWS::EC2::FlowLog', what: 'flow log', action: 'ec2:DeleteFlowLogs' },
  {
    type: 'AWS::Route53Resolver::FirewallRuleGroupAssociation',
    what: 'DNS firewall association',
    action: 'route53resolver:DisassociateFirewallRuleGroup',
  },
];

/**
 * Each flow log and DNS firewall association of the templates that no guardrail attached to its account protects:
 * there, only IAM (the deploy roles' policies, an administrator's restraint) stands between it and its removal.
 */
export function unguardedNetworkControls(surface: TrustSurface, guardrails: readonly Guardrail[]): string[] {
  return REMOVED_BY.flatMap(({ type, what, action }) =>
    surface.networkResources
      .filter((r) => r.type === type)
      .filter(
        (r) =>
          !guardrails.some(
            (g) =>
              g.account === r.account &&
              g.document.Statement.some((st) => st.Action.some((a) => actionMatches(a, action))),
          ),
      )
      .map(
        (r) =>
          `${r.account} account: its ${what} ${r.logicalId} is not protected by a guardrail (no ${action} Deny attached to the account): only IAM stops its removal`,
      ),
  );
}
