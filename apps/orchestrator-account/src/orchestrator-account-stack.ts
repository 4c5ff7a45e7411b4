import {
  AccountStack,
  allowDecryptOnlyTo,
  LogsEncryptionKey,
  stepFunctionsServiceTrust,
  type AccountStackProps,
} from '@airlock/shared';
import {
  analysisStateMachineName,
  dataInvokerRoleArn,
  dataPlaneStateMachineArn,
  launchStateMachineArn,
  orchestratorRoleName,
  sandboxLauncherRoleArn,
} from '@airlock/contracts';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { analysisDefinition } from './analysis-definition.js';
import { OrchestratorCanaryRole } from './orchestrator-canary-role.js';

/** The orchestrator account: the Standard workflow that drives every run, and its execution role. */
export class OrchestratorAccountStack extends AccountStack {
  readonly executionRole: iam.Role;
  readonly stateMachine: sfn.StateMachine;
  /** Only when the environment names a GitHub repository: the canary runs from its workflows. */
  readonly canaryRole?: OrchestratorCanaryRole;

  constructor(scope: Construct, props: AccountStackProps) {
    super(scope, 'orchestrator', props);
    const env = this.airlock;

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      roleName: orchestratorRoleName(env),
      description:
        'Execution role of the analysis state machine; reaches other accounts only through the two target roles',
      assumedBy: stepFunctionsServiceTrust(env),
    });
    // The only way out of this account: the two cross-account target roles, by exact ARN. Every task names its
    // role literally, so CDK grants nothing else (a JSONPath role would make it grant sts:AssumeRole on "*").
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeTheTwoTargetRoles',
        actions: ['sts:AssumeRole'],
        resources: [sandboxLauncherRoleArn(env), dataInvokerRoleArn(env)],
      }),
    );

    const key = new LogsEncryptionKey(this, 'Key', {
      purpose: "Encrypts the analysis workflow's definition, execution history and logs",
    }).key;
    // The history holds each run's presigned URLs: only the workflow and the named readers may decrypt it.
    allowDecryptOnlyTo(key, [
      this.executionRole.roleArn,
      ...env.historyReaders.orchestrator.map(
        (name) => `arn:${env.partition}:iam::${env.accounts.orchestrator}:role/${name}`,
      ),
    ]);
    const logGroup = new logs.LogGroup(this, 'WorkflowLogs', {
      encryptionKey: key,
      retention: logs.RetentionDays.THREE_MONTHS,
    });

    this.stateMachine = new sfn.StateMachine(this, 'Analysis', {
      stateMachineName: analysisStateMachineName(env),
      stateMachineType: sfn.StateMachineType.STANDARD,
      role: this.executionRole,
      definitionBody: sfn.DefinitionBody.fromChainable(
        analysisDefinition(this, {
          dataPlaneStateMachineArn: dataPlaneStateMachineArn(env),
          dataInvokerRoleArn: dataInvokerRoleArn(env),
          sandboxLauncherRoleArn: sandboxLauncherRoleArn(env),
          launchStateMachineArn: launchStateMachineArn(env),
          runTimeoutSeconds: env.run.timeoutSeconds,
        }),
      ),
      // Bounds a run whatever happens inside: the task's deadline and start margin plus the data-plane calls.
      timeout: Duration.seconds(env.run.timeoutSeconds + 1800),
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(key),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });

    if (env.github)
      this.canaryRole = new OrchestratorCanaryRole(this, 'Canary', { airlock: env, repository: env.github.repository });

    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for Step Functions logging (logs:*LogDelivery*, DescribeResourcePolicies, DescribeLogGroups) and X-Ray (PutTraceSegments, GetSampling*): these actions accept no resource ARN.',
    });
  }
}
