import { isDeepStrictEqual } from 'node:util';
import { DescribeStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { readDefinition } from '@airlock/cloud-assembly';
import { awsCall, mismatch, notChecked, runCheck, verified, type CheckResult } from './check-result.js';
import type { DeployedStack } from './deployed-stack.js';

/** The JSON paths at which two values differ (at most `limit`), e.g. `States.Launch.Resource`. */
export function jsonDifferences(want: unknown, got: unknown, path = '', limit = 5): string[] {
  if (isDeepStrictEqual(want, got)) return [];
  const bothObjects = [want, got].every((v) => typeof v === 'object' && v !== null);
  if (!bothObjects || Array.isArray(want) !== Array.isArray(got))
    return [
      `${path || '(top)'} synthesized ${JSON.stringify(want) ?? 'none'}, deployed ${JSON.stringify(got) ?? 'none'}`,
    ];
  const [w, g] = [want as Record<string, unknown>, got as Record<string, unknown>];
  const keys = [...new Set([...Object.keys(w), ...Object.keys(g)])];
  return keys.flatMap((k) => jsonDifferences(w[k], g[k], path ? `${path}.${k}` : k, limit)).slice(0, limit);
}

interface Configuration {
  readonly type: string;
  readonly roleArn: string;
  readonly logging: unknown;
  readonly tracing: boolean;
  readonly encryption: unknown;
}

function synthesizedConfiguration(props: Record<string, unknown>): Configuration {
  const logging = props.LoggingConfiguration as
    | {
        Level?: string;
        IncludeExecutionData?: boolean;
        Destinations?: Array<{ CloudWatchLogsLogGroup?: { LogGroupArn?: string } }>;
      }
    | undefined;
  const encryption = props.EncryptionConfiguration as
    { Type?: string; KmsKeyId?: string; KmsDataKeyReusePeriodSeconds?: number } | undefined;
  return {
    type: String(props.StateMachineType ?? 'STANDARD'),
    roleArn: String(props.RoleArn),
    logging: {
      level: logging?.Level ?? 'OFF',
      includeExecutionData: logging?.IncludeExecutionData ?? false,
      logGroups: (logging?.Destinations ?? []).map((d) => d.CloudWatchLogsLogGroup?.LogGroupArn),
    },
    tracing: (props.TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled ?? false,
    encryption: {
      type: encryption?.Type ?? 'AWS_OWNED_KEY',
      kmsKeyId: encryption?.KmsKeyId,
      kmsDataKeyReusePeriodSeconds: encryption?.KmsKeyId ? encryption.KmsDataKeyReusePeriodSeconds : undefined,
    },
  };
}

/**
 * Each state machine of the account's stack (DescribeStateMachine) against the synthesized one: its type, role,
 * logging, tracing and encryption, and its definition (intrinsics and substitutions resolved) where the reading role
 * can decrypt it. A definition encrypted with a customer managed key is read only by the roles its key names
 * (`historyReaders`), and the CDK lookup role denies itself `kms:Decrypt`: there the definition is NOT CHECKED
 * (the broadening gate compares the deployed template's definition before the deploy) and the rest is read with
 * `includedData: METADATA_ONLY`.
 */
export async function verifyStateMachines(stack: DeployedStack, sfn: SFNClient): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [logicalId, rawProps] of stack.ofType('AWS::StepFunctions::StateMachine')) {
    const props = stack.resolve(rawProps) as Record<string, unknown>;
    const arn = String(stack.resolve({ Ref: logicalId }));
    const subject = `state machine ${String(props.StateMachineName ?? logicalId)}`;
    const want = synthesizedConfiguration(props);
    const customerKey = (want.encryption as { type: string }).type === 'CUSTOMER_MANAGED_KMS_KEY';
    const definition = readDefinition(props);
    results.push(
      ...(await runCheck(subject, async () => {
        const got = await awsCall('states:DescribeStateMachine', () =>
          sfn.send(
            new DescribeStateMachineCommand({
              stateMachineArn: arn,
              includedData: customerKey ? 'METADATA_ONLY' : 'ALL_DATA',
            }),
          ),
        );
        const deployed: Configuration = {
          type: String(got.type),
          roleArn: String(got.roleArn),
          logging: {
            level: got.loggingConfiguration?.level ?? 'OFF',
            includeExecutionData: got.loggingConfiguration?.includeExecutionData ?? false,
            logGroups: (got.loggingConfiguration?.destinations ?? []).map((d) => d.cloudWatchLogsLogGroup?.logGroupArn),
          },
          tracing: got.tracingConfiguration?.enabled ?? false,
          encryption: {
            type: got.encryptionConfiguration?.type ?? 'AWS_OWNED_KEY',
            kmsKeyId: got.encryptionConfiguration?.kmsKeyId,
            kmsDataKeyReusePeriodSeconds: got.encryptionConfiguration?.kmsKeyId
              ? got.encryptionConfiguration.kmsDataKeyReusePeriodSeconds
              : undefined,
          },
        };
        const differences = jsonDifferences(want, deployed);
        if (!customerKey) {
          if ('unresolved' in definition) return [notChecked(`${subject} definition`, definition.unresolved)];
          const deployedDefinition = JSON.parse(got.definition ?? 'null') as unknown;
          differences.push(
            ...jsonDifferences(definition.definition, deployedDefinition).map((d) => `definition: ${d}`),
          );
        }
        const checked = customerKey
          ? 'type, role, logging, tracing, encryption'
          : 'definition, type, role, logging, tracing, encryption';
        return [
          differences.length > 0 ? mismatch(subject, differences.join('; ')) : verified(subject, checked),
          ...(customerKey
            ? [
                notChecked(
                  `${subject} definition`,
                  'encrypted with a customer managed key the reading role may not decrypt (the CDK lookup role denies itself kms:Decrypt; the key admits only historyReaders); the broadening gate compared the deployed template before the deploy',
                ),
              ]
            : []),
        ];
      })),
    );
  }
  return results;
}
