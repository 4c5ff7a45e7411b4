import {
  analysisStateMachineName,
  CONTAINER_NAMES,
  CONTAINER_VARIABLES,
  dataInvokerRoleArn,
  LAUNCH_REQUEST_VARIABLES,
  launchStateMachineName,
  runnerTaskDefinitionFamily,
  sandboxClusterArn,
  sandboxLauncherRoleArn,
  VARIABLE,
} from '@airlock/contracts';
import type { NetworkResourceModel, StateMachineModel, TrustSurface } from '@airlock/cloud-assembly';
import { keyPaths, statesOf, type State } from './asl.js';
import { defineRule, verdictsFor } from './define-rule.js';
import { isolatedSubnets, runnerGroupProblem, sandboxNetwork } from './sandbox-topology.js';

/** Parameters of a RunTask that would let whoever writes the input choose how the untrusted task runs. */
const RUN_TASK_SHAPE_KEYS: ReadonlyArray<[RegExp, string]> = [
  [/(^|\.)(TaskRoleArn|ExecutionRoleArn)(\.\$)?$/, 'a task or execution role'],
  [/^TaskDefinition\.\$$/, 'the task definition revision'],
  [/^Cluster\.\$$/, 'the cluster'],
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

/**
 * The launch RunTask's whole parameter shape: every key it may have. Anything else (PlatformVersion, a capacity
 * provider, EnableExecuteCommand, VolumeConfigurations, PropagateTags, Tags, placement, any other `.$` key) changes
 * how or where the untrusted task runs, so it is a finding until this list and the review say otherwise.
 */
const RUN_TASK_KEYS: ReadonlySet<string> = new Set([
  'Cluster',
  'TaskDefinition',
  'LaunchType',
  'NetworkConfiguration',
  'NetworkConfiguration.AwsvpcConfiguration',
  'NetworkConfiguration.AwsvpcConfiguration.Subnets',
  'NetworkConfiguration.AwsvpcConfiguration.SecurityGroups',
  'NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp',
  'StartedBy.$',
  'Overrides',
  'Overrides.ContainerOverrides',
  'Overrides.ContainerOverrides[].Name',
  'Overrides.ContainerOverrides[].Environment',
  'Overrides.ContainerOverrides[].Environment[].Name',
  'Overrides.ContainerOverrides[].Environment[].Value.$',
]);

/** The only path each per-run variable may be read from: its request field, or the execution's name for RUN_ID. */
const VARIABLE_SOURCES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(LAUNCH_REQUEST_VARIABLES).map(([field, variable]) => [variable, `$.${field}`])),
  [VARIABLE.RUN_ID]: '$$.Execution.Name',
};

/** The literal values the launch RunTask must have: the runner cluster, revision, isolated subnets and group. */
function runTaskValueProblems(
  machine: StateMachineModel,
  path: string,
  params: Record<string, unknown>,
  surface: TrustSurface,
  network: readonly NetworkResourceModel[],
): string[] {
  const env = surface.env;
  const problems: string[] = [];
  const family = runnerTaskDefinitionFamily(env);
  const revision = new RegExp(
    `^arn:${env.partition}:ecs:${env.region}:${env.accounts.sandbox}:task-definition/${family}:\\d+$`,
  );
  if (params.Cluster !== sandboxClusterArn(env))
    problems.push(
      `state ${path} runs on cluster ${JSON.stringify(params.Cluster)}, not the literal runner cluster ${sandboxClusterArn(env)}`,
    );
  if (typeof params.TaskDefinition !== 'string' || !revision.test(params.TaskDefinition))
    problems.push(
      `state ${path} runs task definition ${JSON.stringify(params.TaskDefinition)}, not a literal revision of the ${family} family`,
    );
  // A Ref follows the revision each deploy registers; a literal `:N` keeps running revision N after the task
  // definition the review checks has changed (a redeploy leaves the old revision ACTIVE).
  else if (!machine.taskDefinitionReferences.includes(params.TaskDefinition))
    problems.push(
      `state ${path} pins task definition revision ${params.TaskDefinition} literally, so it keeps running that revision whatever the template's task definition becomes. Fix: name the task definition construct (a Ref, which resolves to the revision each deploy registers)`,
    );
  const awsvpc = (params.NetworkConfiguration as { AwsvpcConfiguration?: Record<string, unknown> } | undefined)
    ?.AwsvpcConfiguration;
  if (awsvpc?.AssignPublicIp !== 'DISABLED')
    problems.push(`state ${path} sets AssignPublicIp ${JSON.stringify(awsvpc?.AssignPublicIp)}, not DISABLED`);
  const isolated = new Set(isolatedSubnets(network).map((s) => `${s.stack}-${s.logicalId}`));
  const subnets = awsvpc?.Subnets;
  if (!Array.isArray(subnets) || subnets.length === 0)
    problems.push(`state ${path} names no literal Subnets (it must name the sandbox VPC's isolated subnets)`);
  else
    for (const subnet of subnets.filter((s) => !isolated.has(String(s))))
      problems.push(
        `state ${path} runs the task in subnet ${JSON.stringify(subnet)}, not an isolated subnet of the sandbox VPC`,
      );
  const groups = awsvpc?.SecurityGroups;
  if (!Array.isArray(groups) || groups.length !== 1)
    problems.push(`state ${path} names ${JSON.stringify(groups)} as SecurityGroups, not exactly the runner's group`);
  else {
    const problem = runnerGroupProblem(network, groups[0]);
    if (problem) problems.push(`state ${path} runs the task in a group that is not the runner's: ${problem}`);
  }
  return problems;
}

function taskProblems(
  machine: StateMachineModel,
  path: string,
  state: State,
  surface: TrustSurface,
  network: readonly NetworkResourceModel[],
): string[] {
  const env = surface.env;
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
  // RunTask in any form is judged below, with the launch workflow's fixed shape.
  if (
    ecsAction !== undefined &&
    !ecsAction.startsWith('runTask') &&
    !['listTasks', 'stopTask', 'describeTasks'].includes(ecsAction)
  )
    problems.push(
      `state ${path} of ${machine.name} calls ECS ${ecsAction}; only the launch workflow's RunTask starts tasks`,
    );
  if (/:ecs:runTask/.test(resource)) {
    if (machine.name !== launchStateMachineName(env) || resource.includes(':aws-sdk:'))
      problems.push(
        `state ${path} of ${machine.name} runs ECS tasks (${resource}); only the launch workflow's fixed RunTask may`,
      );
    if (resource !== `arn:${env.partition}:states:::ecs:runTask.sync`)
      problems.push(`state ${path} calls ${resource}, not arn:${env.partition}:states:::ecs:runTask.sync`);
    // JSONata Arguments would set the parameters where this rule does not read them.
    if (
      state.Arguments !== undefined ||
      state.QueryLanguage === 'JSONata' ||
      machine.definition.QueryLanguage === 'JSONata'
    )
      problems.push(`state ${path} uses JSONata, whose Arguments the review does not read: use JSONPath Parameters`);
    if (typeof state.Parameters !== 'object' || state.Parameters === null)
      problems.push(`state ${path} has no literal Parameters object`);
    const params = state.Parameters as Record<string, unknown> | undefined;
    if (params?.LaunchType !== 'FARGATE') problems.push(`state ${path} does not fix LaunchType FARGATE`);
    if (params) problems.push(...runTaskValueProblems(machine, path, params, surface, network));
    // find-and-stop and the reaper find the task by StartedBy = the execution's name.
    if (params?.['StartedBy.$'] !== '$$.Execution.Name')
      problems.push(`state ${path} does not set StartedBy to the execution's name`);
    for (const override of containerOverrides(params)) {
      const allowed = (CONTAINER_VARIABLES as Record<string, { perRun: readonly string[] }>)[String(override.Name)];
      if (!(CONTAINER_NAMES as readonly unknown[]).includes(override.Name) || allowed === undefined)
        problems.push(
          `state ${path} overrides a container named ${JSON.stringify(override.Name)}, not one of the task's`,
        );
      for (const variable of override.Environment ?? []) {
        if (allowed && !allowed.perRun.includes(String(variable.Name)))
          problems.push(
            `state ${path} gives container ${String(override.Name)} ${JSON.stringify(variable.Name)}, not one of its per-run variables`,
          );
        // A per-run variable filled from another field would hand a container a value (a URL) it must not hold.
        const source = VARIABLE_SOURCES[String(variable.Name)];
        if (source !== undefined && variable['Value.$'] !== source)
          problems.push(
            `state ${path} fills ${String(variable.Name)} of container ${String(override.Name)} from ${JSON.stringify(variable['Value.$'])}, not ${source}`,
          );
      }
    }
    const unknown: string[] = [];
    for (const key of keyPaths(params)) {
      const match = RUN_TASK_SHAPE_KEYS.find(([pattern]) => pattern.test(key));
      if (match) problems.push(`state ${path} lets its parameters set ${match[1]} (${key})`);
      else if (
        !RUN_TASK_KEYS.has(key) &&
        !(key === 'EnableExecuteCommand' && params?.EnableExecuteCommand === false) &&
        // One finding per foreign key, not one more for each key inside it.
        !unknown.some((parent) => key.startsWith(`${parent}.`) || key.startsWith(`${parent}[]`))
      ) {
        unknown.push(key);
        problems.push(`state ${path} sets ${key}, which the launch workflow's fixed RunTask shape does not have`);
      }
    }
  }
  return problems;
}

interface ContainerOverride {
  Name?: unknown;
  Environment?: Array<{ Name?: unknown; 'Value.$'?: unknown }>;
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
  check: (surface) => {
    const network = sandboxNetwork(surface);
    return surface.stateMachines.flatMap((machine) =>
      verdictsFor(
        { account: machine.account, subject: `state machine ${machine.name}` },
        machine.unresolved !== undefined
          ? [`cannot be reviewed: ${machine.unresolved}. Fix: keep the whole definition in the template`]
          : statesOf(machine.definition).flatMap(([path, state]) =>
              taskProblems(machine, path, state, surface, network),
            ),
      ),
    );
  },
});
