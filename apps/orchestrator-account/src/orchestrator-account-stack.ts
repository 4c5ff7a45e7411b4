import {
  AccountStack,
  dataInvokerRoleArn,
  orchestratorRoleName,
  sandboxLauncherRoleArn,
  stepFunctionsServiceTrust,
  type AccountStackProps,
} from '@airlock/shared';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** The orchestrator account: the Standard workflow that drives every run, and its execution role. */
export class OrchestratorAccountStack extends AccountStack {
  readonly executionRole: iam.Role;

  constructor(scope: Construct, props: AccountStackProps) {
    super(scope, 'orchestrator', props);
    const env = this.airlock;

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      roleName: orchestratorRoleName(env),
      description: 'Execution role of the analysis state machine; reaches other accounts only through the two target roles',
      assumedBy: stepFunctionsServiceTrust(env),
    });
    // The only way out of this account: the two cross-account target roles, by exact ARN.
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [sandboxLauncherRoleArn(env), dataInvokerRoleArn(env)],
      }),
    );
  }
}
