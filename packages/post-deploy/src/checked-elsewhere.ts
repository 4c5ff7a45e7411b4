import type { AccountRole } from '@airlock/shared/environment';
import { notChecked, type CheckResult } from './check-result.js';

/**
 * The items of the project's unverified-until-deployed list that no read-only API call answers, per account, and
 * who answers each instead: the canary (a real run and the probe submission) or a human. Printed as NOT CHECKED so
 * the verify output lists the whole list.
 */
const CHECKED_ELSEWHERE: Readonly<Record<AccountRole, ReadonlyArray<readonly [subject: string, who: string]>>> = {
  orchestrator: [
    [
      "that Step Functions assumes the analysis workflow's role under its trust's aws:SourceArn and aws:SourceAccount",
      'the deployed trust is compared above; that the service meets it, only a run shows: the canary',
    ],
    [
      'that nothing besides historyReaders needs to decrypt the execution history',
      "a run's history read by the operator CLI: the canary",
    ],
    [
      'the organization guardrails (SCPs) as AWS evaluates them',
      'a management-account administrator tries the denied actions once attached (README "Organization guardrails")',
    ],
  ],
  sandbox: [
    ['whether a non-zero container exit fails an ecs:runTask.sync state', 'a run that fails: the canary'],
    ['whether Step Functions stops the ECS task when the state times out', 'a human, with a run past its deadline'],
    ['the ownership of the bind-mounted scratch volume for uid 10001', "the probe submission's report: the canary"],
    [
      'that the image pulls through the DNS firewall (the ECR and S3 layer names it allows)',
      'a task that starts at all: the canary',
    ],
    ["the length of a task's overrides against the 8,192-character limit", "the probe submission's report: the canary"],
    [
      'whether drift detection reports the kill switch, and a deploy leaves it attached',
      'a human, with the kill switch on (README "Incident")',
    ],
  ],
  data: [
    [
      "that Lambda creates the functions' network interfaces with the inline grant (no AWSLambdaVPCAccessExecutionRole)",
      'a run through prepare and finalize: the canary',
    ],
    ['that the DynamoDB names the SDK resolves pass the DNS firewall', 'a run that records its submission: the canary'],
    [
      'that active X-Ray tracing delivers traces from the VPC without an X-Ray endpoint',
      'a human, in the X-Ray console after a run',
    ],
    ["a VPC function's cold-start latency", 'a human, measured on AWS'],
    [
      'the resource control policy as AWS evaluates it (DynamoDB support, services calling with aws:SourceAccount)',
      'a management-account administrator tries the denied actions once attached (README "Organization guardrails")',
    ],
  ],
};

export const checkedElsewhere = (account: AccountRole): CheckResult[] =>
  CHECKED_ELSEWHERE[account].map(([subject, who]) => notChecked(subject, `no read-only call answers it; ${who}`));
