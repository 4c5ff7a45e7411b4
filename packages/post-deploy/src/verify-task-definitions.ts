import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { asList } from '@airlock/cloud-assembly';
import { awsCall, mismatch, runCheck, verified, type CheckResult } from './check-result.js';
import type { DeployedStack } from './deployed-stack.js';
import { jsonDifferences } from './verify-state-machines.js';

/** CloudFormation spells ECS fields in PascalCase, the ECS API in camelCase. */
const camel = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(camel);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camel(v)]));
};

/** The fields of a container that decide what runs and with which rights (ECS fills in defaults for the rest). */
const CONTAINER_FIELDS = [
  'image',
  'user',
  'command',
  'essential',
  'privileged',
  'readonlyRootFilesystem',
  'mountPoints',
  'dependsOn',
];
const TASK_FIELDS = [
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'pidMode',
  'cpu',
  'memory',
  'requiresCompatibilities',
];

const pick = (value: Record<string, unknown>, fields: string[]) =>
  Object.fromEntries(fields.map((f) => [f, value[f] ?? (f === 'privileged' ? false : undefined)]));
const containerView = (c: Record<string, unknown>) => {
  const capabilities = (c.linuxParameters as { capabilities?: { add?: string[]; drop?: string[] } } | undefined)
    ?.capabilities;
  return {
    ...pick(c, CONTAINER_FIELDS),
    capabilities: { add: [...(capabilities?.add ?? [])].sort(), drop: [...(capabilities?.drop ?? [])].sort() },
  };
};

/**
 * Each ECS task definition of the account's stack (`ecs:DescribeTaskDefinition`, the revision the stack holds):
 * each container's image (the ECR repository and the asset's content hash as tag), user, command, capabilities,
 * mounts and ordering, and the task's roles, network and PID mode, size and volumes, against the synthesized ones.
 */
export async function verifyTaskDefinitions(stack: DeployedStack, ecs: ECSClient): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [logicalId, rawProps] of stack.ofType('AWS::ECS::TaskDefinition')) {
    const want = camel(stack.resolve(rawProps)) as Record<string, unknown>;
    const arn = String(stack.resolve({ Ref: logicalId }));
    const subject = `task definition ${arn}`;
    results.push(
      ...(await runCheck(subject, async () => {
        const { taskDefinition } = await awsCall('ecs:DescribeTaskDefinition', () =>
          ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
        );
        const got = (taskDefinition ?? {}) as Record<string, unknown>;
        const byName = (list: unknown) =>
          Object.fromEntries(
            asList(list as Array<Record<string, unknown>>).map((c) => [String(c.name), containerView(c)]),
          );
        const volumes = (list: unknown) =>
          asList(list as Array<{ name?: string }>)
            .map((v) => v.name)
            .sort();
        const differences = jsonDifferences(
          { ...pick(want, TASK_FIELDS), volumes: volumes(want.volumes), containers: byName(want.containerDefinitions) },
          { ...pick(got, TASK_FIELDS), volumes: volumes(got.volumes), containers: byName(got.containerDefinitions) },
          '',
          10,
        );
        return [
          differences.length > 0
            ? mismatch(subject, differences.join('; '))
            : verified(subject, 'images, users, capabilities, mounts, roles'),
        ];
      })),
    );
  }
  return results;
}
