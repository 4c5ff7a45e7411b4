import {
  analysisStateMachineName,
  CONTAINER_NAMES,
  CONTAINER_VARIABLES,
  dataInvokerRoleArn,
  launchStateMachineName,
  sandboxLauncherRoleArn,
} from '@airlock/contracts';
import type { StateMachineModel } from '@airlock/cloud-assembly';
import { defineRule, verdictsFor } from './define-rule.js';

type State = Record<string, unknown>;

/** Every state of a definition, nested Map and Parallel states included, with its path for the message. */
function statesOf(definition: { States?: Record<string, unknown> }, prefix = ''): Array<[string, State]> {
  return Object.entries(definition.States ?? {}).flatMap(([name, value]) => {
    const state = value as State;
    const path = `${prefix}${name}`;
    const nested = [state.Iterator, state.ItemProcessor, ...((state.Branches as unknown[] | undefined) ?? [])].filter(
      (d): d is { States?: Record<string, unknown> } => typeof d === 'object' && d !== null,
    );
    return [[path, state] as [string, State], ...nested.flatMap((d) => statesOf(d, `${path}/`))];
  });
}

/** Every key path of a Parameters object: `Overrides.ContainerOverrides[].Environment`, `TaskDefinition.$`, … */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => keyPaths(v, `${prefix}[]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...keyPaths(v, path)];
  });
}

/** Parameters of a RunTask that would let whoever writes the input choose how the untrusted task runs. */
const RUN_TASK_SHAPE_KEYS: ReadonlyArray<[RegExp, string]> = [
  [/(^|\.)(TaskRoleArn|ExecutionRoleArn)(\.\$)?$/, 'a task or execution role'],
  [/^TaskDefinition\.\$$/, 'the task definition revision'],
  [/^NetworkConfiguration(\..*)?\.\$$/, 'the network'],
  [/^(Count|Cpu|Memory|PlatformVersion|CapacityProviderStrategy|LaunchType)\.\$$/, 'the size, count or platform'],
  [/^(Count|Cpu|Memory)$/, 'the count, CPU or memory'],
  [/^Overrides\.(?!ContainerOverrides(\[\]|$|\.))/, 'task-level overrides'],
  [/^Overrides(\.ContainerOverrides)?\.\$$/, 'the overrides as a whole'],
  [
    /^Overrides\.ContainerOverrides\[\]\.(?!(Name|Environment)$|Environment\[\]\.(Name|Value|Value\.\$)$)/,
    'container overrides other than environment variables',
  ],
];

function taskProblems(
  machine: StateMachineModel,
  path: string,
  state: State,
  env: Parameters<typeof dataInvokerRoleArn>[0],
): string[] {
  if (state.Type !== 'Task') return [];
  const resource = String(state.Resource ?? '');
  const problems: string[] = [];
  const credentials = state.Credentials as Record<string, unknown> | undefined;
  if (credentials !== undefined) {
    const literal = credentials.RoleArn;
    const targets = [dataInvokerRoleArn(env), sandboxLauncherRoleArn(env)];
    if (machine.name !== analysisStateMachineName(env))
      problems.push(`state ${path} of ${machine.name} assumes a role with Credentials; only the analysis workflow may`);
    if (typeof literal !== 'string' || Object.keys(credentials).join() !== 'RoleArn')
      problems.push(
        `state ${path} takes its Credentials role from ${JSON.stringify(credentials)}, not one literal RoleArn`,
      );
    else if (!targets.includes(literal))
      problems.push(`state ${path} assumes ${literal}, which is not one of the target roles`);
  }
  const ecsAction = /:ecs:(\w+(\.\w+)?)$/.exec(resource)?.[1];
  if (ecsAction !== undefined && !['runTask.sync', 'listTasks', 'stopTask', 'describeTasks'].includes(ecsAction))
    problems.push(
      `state ${path} of ${machine.name} calls ECS ${ecsAction}; only the launch workflow's RunTask starts tasks`,
    );
  if (/:ecs:runTask/.test(resource)) {
    if (machine.name !== launchStateMachineName(env) || resource.includes(':aws-sdk:'))
      problems.push(
        `state ${path} of ${machine.name} runs ECS tasks (${resource}); only the launch workflow's fixed RunTask may`,
      );
    const params = state.Parameters as Record<string, unknown> | undefined;
    if (params?.LaunchType !== 'FARGATE') problems.push(`state ${path} does not fix LaunchType FARGATE`);
    // find-and-stop and the reaper find the task by StartedBy = the execution's name.
    if (params?.['StartedBy.$'] !== '$$.Execution.Name')
      problems.push(`state ${path} does not set StartedBy to the execution's name`);
    for (const override of containerOverrides(params)) {
      const allowed = (CONTAINER_VARIABLES as Record<string, { perRun: readonly string[] }>)[String(override.Name)];
      if (!(CONTAINER_NAMES as readonly unknown[]).includes(override.Name) || allowed === undefined)
        problems.push(
          `state ${path} overrides a container named ${JSON.stringify(override.Name)}, not one of the task's`,
        );
      for (const variable of override.Environment ?? [])
        if (allowed && !allowed.perRun.includes(String(variable.Name)))
          problems.push(
            `state ${path} gives container ${String(override.Name)} ${JSON.stringify(variable.Name)}, not one of its per-run variables`,
          );
    }
    for (const key of keyPaths(params)) {
      const match = RUN_TASK_SHAPE_KEYS.find(([pattern]) => pattern.test(key));
      if (match) problems.push(`state ${path} lets its parameters set ${match[1]} (${key})`);
    }
  }
  return problems;
}

interface ContainerOverride {
  Name?: unknown;
  Environment?: Array<{ Name?: unknown }>;
}
const containerOverrides = (params: Record<string, unknown> | undefined): ContainerOverride[] => {
  const list = (params?.Overrides as { ContainerOverrides?: unknown } | undefined)?.ContainerOverrides;
  return Array.isArray(list) ? (list as ContainerOverride[]) : [];
};

export const stateMachineTasks = defineRule({
  id: 'state-machine-tasks',
  invariant: 'I1, I4',
  explanation:
    'Only the analysis workflow assumes roles in other accounts, each a target role named literally in ' +
    'Credentials; only the sandbox launch workflow runs ECS tasks, with a fixed RunTask whose parameters cannot set ' +
    "a task role, the revision, the network, CPU, memory, count or anything but containers' environment variables.",
  check: (surface) =>
    surface.stateMachines.flatMap((machine) =>
      verdictsFor(
        { account: machine.account, subject: `state machine ${machine.name}` },
        statesOf(machine.definition).flatMap(([path, state]) => taskProblems(machine, path, state, surface.env)),
      ),
    ),
});
