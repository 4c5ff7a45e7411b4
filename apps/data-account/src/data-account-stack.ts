import { AccountStack, crossAccountTrust, dataInvokerRoleName, type AccountStackProps } from '@airlock/shared';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** The data account: all customer data, reachable from the orchestrator only through the invoker role. */
export class DataAccountStack extends AccountStack {
  readonly invokerRole: iam.Role;

  constructor(scope: Construct, props: AccountStackProps) {
    super(scope, 'data', props);
    const env = this.airlock;

    this.invokerRole = new iam.Role(this, 'InvokerRole', {
      roleName: dataInvokerRoleName(env),
      description: 'Assumed by the orchestrator workflow to start the data-plane Express workflow synchronously',
      assumedBy: crossAccountTrust(env),
    });
  }
}
