import { DescribeFlowLogsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsCall, mismatch, notChecked, runCheck, verified, type CheckResult } from './check-result.js';
import type { DeployedStack } from './deployed-stack.js';
import { jsonDifferences } from './verify-state-machines.js';

/**
 * Each flow log of the account's stack is on (`ec2:DescribeFlowLogs`): active, delivering, on the synthesized VPC,
 * with the synthesized traffic type, destination and delivery role.
 */
async function verifyFlowLogs(stack: DeployedStack, ec2: EC2Client): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [logicalId, rawProps] of stack.ofType('AWS::EC2::FlowLog')) {
    const props = stack.resolve(rawProps) as Record<string, unknown>;
    const flowLogId = stack.physicalIds[logicalId];
    const subject = `flow log ${flowLogId ?? logicalId} of ${String(props.ResourceId)}`;
    if (flowLogId === undefined) {
      results.push(mismatch(subject, `the deployed stack has no ${logicalId}`));
      continue;
    }
    results.push(
      ...(await runCheck(subject, async () => {
        const { FlowLogs } = await awsCall('ec2:DescribeFlowLogs', () =>
          ec2.send(new DescribeFlowLogsCommand({ FlowLogIds: [flowLogId] })),
        );
        const got = FlowLogs?.[0];
        if (!got) return [mismatch(subject, 'not found: the flow log is off')];
        const differences = jsonDifferences(
          {
            status: 'ACTIVE',
            delivery: 'SUCCESS',
            resourceId: props.ResourceId,
            trafficType: props.TrafficType,
            destinationType: props.LogDestinationType ?? 'cloud-watch-logs',
            logGroupName: props.LogGroupName,
            deliveryRole: props.DeliverLogsPermissionArn,
          },
          {
            status: got.FlowLogStatus,
            delivery: got.DeliverLogsStatus,
            resourceId: got.ResourceId,
            trafficType: got.TrafficType,
            destinationType: got.LogDestinationType,
            logGroupName: got.LogGroupName,
            deliveryRole: got.DeliverLogsPermissionArn,
          },
        );
        if (got.DeliverLogsErrorMessage) differences.push(`delivery error: ${got.DeliverLogsErrorMessage}`);
        return [
          differences.length > 0 ? mismatch(subject, differences.join('; ')) : verified(subject, 'on and delivering'),
        ];
      })),
    );
  }
  return results;
}

/**
 * The DNS firewall associations: the npm registry this workspace installs from offers `@aws-sdk/client-route53resolver`
 * only up to 3.654.0, far behind the pinned SDK (3.1164.0), so they are listed as NOT CHECKED with the read-only
 * command that answers.
 */
function dnsFirewallAssociations(stack: DeployedStack): CheckResult[] {
  return stack.ofType('AWS::Route53Resolver::FirewallRuleGroupAssociation').map(([, rawProps]) => {
    const props = stack.resolve(rawProps) as Record<string, unknown>;
    return notChecked(
      `DNS firewall association of ${String(props.VpcId)} with rule group ${String(props.FirewallRuleGroupId)} at priority ${String(props.Priority)}`,
      `no Route 53 Resolver client at the pinned AWS SDK version; a human runs \`aws route53resolver list-firewall-rule-group-associations --vpc-id ${String(props.VpcId)}\` and expects exactly this one, COMPLETE, MutationProtection ${String(props.MutationProtection ?? 'DISABLED')}`,
    );
  });
}

/** The network checks: flow logs on, and the DNS firewall associations (listed, not checked). */
export async function verifyNetwork(stack: DeployedStack, ec2: EC2Client): Promise<CheckResult[]> {
  return [...(await verifyFlowLogs(stack, ec2)), ...dnsFirewallAssociations(stack)];
}
