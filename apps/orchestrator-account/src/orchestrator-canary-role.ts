import { githubCanaryTrust, type AirlockEnvironment } from '@airlock/shared';
import {
  analysisExecutionArn,
  analysisStateMachineArn,
  CANARY_ID_PREFIX,
  orchestratorCanaryRoleName,
} from '@airlock/contracts';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface OrchestratorCanaryRoleProps {
  readonly airlock: AirlockEnvironment;
  /** `owner/name` of the GitHub repository whose `<env>-canary` environment alone may assume the role. */
  readonly repository: string;
}

/**
 * The canary's role in the orchestrator account: start the analysis workflow, and describe and read the history of
 * `canary-*` executions only. StartExecution has no condition key for the execution's name (its only key is
 * `states:StateMachineQualifier`), so IAM cannot hold the canary to `canary-*` names when it starts one; what a
 * differently named run produces is out of the canary's reach (its data role reads `canary-*` runs only), and prepare
 * refuses a `canary-*` run of a submission that is not a canary's. No KMS: the canary reads executions with
 * `includedData: METADATA_ONLY` and histories without execution data, never the encrypted input or output.
 */
export class OrchestratorCanaryRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: OrchestratorCanaryRoleProps) {
    super(scope, id);
    const env = props.airlock;
    const canaryExecutions = analysisExecutionArn(env, `${CANARY_ID_PREFIX}*`);
    this.role = new iam.Role(this, 'Role', {
      roleName: orchestratorCanaryRoleName(env),
      description: 'Assumed only by the canary workflow job: starts a canary run of the analysis workflow, follows it',
      assumedBy: githubCanaryTrust(env, 'orchestrator', props.repository),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        'start-and-follow-canary-runs': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'StartTheAnalysisWorkflow',
              actions: ['states:StartExecution'],
              resources: [analysisStateMachineArn(env)],
            }),
            new iam.PolicyStatement({
              sid: 'FollowCanaryExecutions',
              actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
              resources: [canaryExecutions],
            }),
          ],
        }),
      },
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${canaryExecutions}]`,
      reason: 'Execution names are chosen per canary run; the pattern admits only canary- executions of one workflow.',
    });
  }
}
