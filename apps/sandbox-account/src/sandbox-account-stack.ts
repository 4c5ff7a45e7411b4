import { AccountStack, crossAccountTrust, sandboxLauncherRoleName, type AccountStackProps } from '@airlock/shared';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** The sandbox account: where untrusted code runs, reachable from the orchestrator only through the launcher role. */
export class SandboxAccountStack extends AccountStack {
  readonly launcherRole: iam.Role;

  constructor(scope: Construct, props: AccountStackProps) {
    super(scope, 'sandbox', props);
    const env = this.airlock;

    this.launcherRole = new iam.Role(this, 'LauncherRole', {
      roleName: sandboxLauncherRoleName(env),
      description: 'Assumed by the orchestrator workflow to read the launch config and run the untrusted task',
      assumedBy: crossAccountTrust(env),
    });
  }
}
