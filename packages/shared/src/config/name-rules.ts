import type { AirlockEnvironment } from './environment-schema.js';
import * as names from '@airlock/contracts';

/** An AWS naming rule a derived name must satisfy. */
interface NameRule {
  readonly what: string;
  readonly name: (env: AirlockEnvironment) => string;
  readonly maxLength: number;
  readonly pattern: RegExp;
  readonly allowed: string;
}

// Character sets from the AWS API references of each service.
const IAM_ROLE = { maxLength: 64, pattern: /^[\w+=,.@-]+$/, allowed: 'letters, digits and +=,.@_-' };
const STATE_MACHINE = { maxLength: 80, pattern: /^[A-Za-z0-9_-]+$/, allowed: 'letters, digits, _ and -' };

export const NAME_RULES: readonly NameRule[] = [
  { what: 'orchestrator execution role', name: names.orchestratorRoleName, ...IAM_ROLE },
  { what: 'sandbox launcher role', name: names.sandboxLauncherRoleName, ...IAM_ROLE },
  { what: 'data invoker role', name: names.dataInvokerRoleName, ...IAM_ROLE },
  { what: 'analysis state machine', name: names.analysisStateMachineName, ...STATE_MACHINE },
  { what: 'data-plane state machine', name: names.dataPlaneStateMachineName, ...STATE_MACHINE },
  {
    // The Standard state machine's ARN is the ExternalId every target role demands.
    what: 'analysis state machine ARN used as sts:ExternalId',
    name: names.analysisStateMachineArn,
    maxLength: 1224,
    pattern: /^[\w+=,.@:/-]+$/,
    allowed: 'letters, digits and +=,.@:/_-',
  },
  {
    what: 'data bucket',
    name: names.dataBucketName,
    maxLength: 63,
    pattern: /^[a-z0-9][a-z0-9-]*[a-z0-9]$/,
    allowed: 'lowercase letters, digits and hyphens',
  },
  {
    what: 'runs table',
    name: names.runsTableName,
    maxLength: 255,
    pattern: /^[A-Za-z0-9_.-]+$/,
    allowed: 'letters, digits and _.-',
  },
  {
    what: 'sandbox cluster',
    name: names.sandboxClusterName,
    maxLength: 255,
    pattern: /^[A-Za-z0-9_-]+$/,
    allowed: 'letters, digits, _ and -',
  },
  {
    what: 'runner task definition family',
    name: names.runnerTaskDefinitionFamily,
    maxLength: 255,
    pattern: /^[A-Za-z0-9_-]+$/,
    allowed: 'letters, digits, _ and -',
  },
  { what: 'launch state machine', name: names.launchStateMachineName, ...STATE_MACHINE },
  {
    // Also the name of the EventBridge rule that starts it (at most 64 characters).
    what: 'launch reaper state machine',
    name: names.launchReaperStateMachineName,
    maxLength: 64,
    pattern: /^[A-Za-z0-9_-]+$/,
    allowed: 'letters, digits, _ and -',
  },
];

/** Problems with names derived from an otherwise valid environment; empty when all fit. */
export function derivedNameProblems(env: AirlockEnvironment): string[] {
  const problems: string[] = [];
  for (const rule of NAME_RULES) {
    const value = rule.name(env);
    if (value.length > rule.maxLength) {
      problems.push(
        `prefix/environment: the ${rule.what} name "${value}" is ${value.length} characters, over the AWS limit of ${rule.maxLength}. ` +
          'Fix: shorten the prefix or the environment name',
      );
    } else if (!rule.pattern.test(value)) {
      problems.push(
        `prefix/environment: the ${rule.what} name "${value}" may contain only ${rule.allowed}. Fix: rename the prefix or environment`,
      );
    }
  }
  return problems;
}
