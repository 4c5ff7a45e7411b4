import { Stack, type IAspect } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';

const LOG_DELIVERY = 'delivery.logs.amazonaws.com';

interface KeyPolicyStatement {
  Principal?: { Service?: string | string[] };
  Condition?: Record<string, unknown>;
}

/**
 * Binds CloudWatch Logs' delivery service to this account on every key policy of the stack. CDK's StateMachine,
 * given a customer key and logging, allows `delivery.logs.amazonaws.com` `kms:Decrypt*` with no condition at all
 * (a confused deputy: any account's log delivery could use the key); CloudWatch's documentation binds that
 * principal by `aws:SourceAccount` and `aws:SourceArn` = `arn:<partition>:logs:<region>:<account>:*`.
 */
export class LogDeliveryKeyBinding implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof kms.CfnKey)) return;
    const stack = Stack.of(node);
    const policy = stack.resolve(node.keyPolicy) as { Statement?: KeyPolicyStatement[] } | undefined;
    (policy?.Statement ?? []).forEach((statement, index) => {
      const services = [statement.Principal?.Service ?? []].flat();
      if (!services.includes(LOG_DELIVERY) || statement.Condition !== undefined) return;
      node.addPropertyOverride(`KeyPolicy.Statement.${index}.Condition`, {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*` },
      });
    });
  }
}
