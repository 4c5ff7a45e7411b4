import {
  asList,
  type NetworkResourceModel,
  type StateMachineModel,
  type TaskDefinitionModel,
} from '@airlock/cloud-assembly';
import { keyPaths, statesOf, type State } from './rules/asl.js';

// The parts of the surface that are not policies, each as a set of short lines: what the baseline holds and the
// drift prints as added (+) or removed (-), so a changed parameter key, container field or route reads as one line.

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

const sortedUnique = (lines: readonly string[]): string[] => [...new Set(lines)].sort();

/** Where a state can go next: Next, End, each Choice and Default, each Catch with its errors. */
function edgesOf(path: string, state: State): string[] {
  const to = (target: unknown, how: string) => `edge ${path} -> ${String(target)} (${how})`;
  return [
    ...(state.Next !== undefined ? [to(state.Next, 'next')] : []),
    ...(state.End === true ? [`edge ${path} -> end`] : []),
    ...asList(state.Choices as Array<{ Next?: unknown }> | undefined).map((c) => to(c.Next, 'choice')),
    ...(state.Default !== undefined ? [to(state.Default, 'default')] : []),
    ...asList(state.Catch as Array<{ ErrorEquals?: string[]; Next?: unknown }> | undefined).map((c) =>
      to(c.Next, `catch ${asList(c.ErrorEquals).join('|')}`),
    ),
  ];
}

/** Which container gets which per-run variable from where: how a URL reaches a container. */
function containerVariablesOf(path: string, parameters: unknown): string[] {
  const overrides = (parameters as { Overrides?: { ContainerOverrides?: unknown } } | undefined)?.Overrides
    ?.ContainerOverrides;
  return asList(
    overrides as Array<{ Name?: unknown; Environment?: Array<Record<string, unknown>> }> | undefined,
  ).flatMap((o) =>
    asList(o.Environment).map(
      (v) =>
        `task ${path}: container ${String(o.Name)} gets ${String(v.Name)} from ${String(v['Value.$'] ?? 'a literal')}`,
    ),
  );
}

/** Whether a RunTask names its task definition by reference (the current revision) or pins a literal revision. */
function taskDefinitionOf(machine: StateMachineModel, path: string, parameters: unknown): string[] {
  const value = (parameters as { TaskDefinition?: unknown } | undefined)?.TaskDefinition;
  if (typeof value !== 'string') return [];
  return [
    machine.taskDefinitionReferences.includes(value)
      ? `task ${path}: task definition of its own template, by Ref (the revision each deploy registers)`
      : `task ${path}: task definition pinned literally to ${value}`,
  ];
}

/** Each Task's Resource, Credentials and parameter keys (not values), and the whole graph of edges. */
export function stateMachineLines(machine: StateMachineModel): string[] {
  if (machine.unresolved !== undefined) return [`definition unreadable: ${machine.unresolved}`];
  return sortedUnique(
    statesOf(machine.definition).flatMap(([path, state]) => [
      `state ${path}: ${String(state.Type)}`,
      ...edgesOf(path, state),
      ...(state.Type === 'Task'
        ? [
            `task ${path}: resource ${String(state.Resource)}`,
            ...(state.Credentials !== undefined ? [`task ${path}: credentials ${canonical(state.Credentials)}`] : []),
            ...keyPaths(state.Parameters ?? state.Arguments).map((key) => `task ${path}: parameter ${key}`),
            ...containerVariablesOf(path, state.Parameters),
            ...taskDefinitionOf(machine, path, state.Parameters),
          ]
        : []),
    ]),
  );
}

/** The task definition's security fields, container by container (environment names only, never values). */
export function taskDefinitionLines(task: TaskDefinitionModel): string[] {
  return sortedUnique([
    `task role ${task.taskRoleArn ?? 'none'}`,
    `execution role ${task.executionRoleArn ?? 'none'}`,
    `network mode ${task.networkMode ?? 'default'}`,
    `pid mode ${task.pidMode ?? 'own per container'}`,
    `ipc mode ${task.ipcMode ?? 'own per container'}`,
    ...task.volumes.map((v) => `volume ${v.name} from ${v.source}`),
    ...task.containers.flatMap((c) => {
      const at = `container ${c.name}:`;
      return [
        `${at} user ${c.user ?? "the image's default"}`,
        `${at} read-only root ${c.readonlyRootFilesystem}`,
        `${at} privileged ${c.privileged}`,
        `${at} init process ${c.initProcessEnabled}`,
        `${at} repository credentials ${c.repositoryCredentials}`,
        ...c.addedCapabilities.map((x) => `${at} adds capability ${x}`),
        ...c.droppedCapabilities.map((x) => `${at} drops capability ${x}`),
        ...c.environmentNames.map((x) => `${at} environment ${x}`),
        ...c.environmentFiles.map((x) => `${at} environment file ${x}`),
        ...c.secrets.map((x) => `${at} secret ${x}`),
        ...c.devices.map((x) => `${at} device ${x}`),
        ...c.dockerSecurityOptions.map((x) => `${at} docker security option ${x}`),
        ...c.systemControls.map((x) => `${at} system control ${x}`),
        ...c.ulimits.map((x) => `${at} ulimit ${x}`),
        ...c.mountPoints.map(
          (m) => `${at} mounts ${m.sourceVolume} at ${m.containerPath} ${m.readOnly ? 'read-only' : 'writable'}`,
        ),
        ...c.volumesFrom.map((x) => `${at} volumes from ${x}`),
      ];
    }),
  ]);
}

/** Every property of a network resource but its tags, one line per value (array items each on their own line). */
export function networkResourceLines(resource: Pick<NetworkResourceModel, 'properties'>): string[] {
  const lines = (value: unknown, path: string): string[] => {
    if (Array.isArray(value))
      return value.flatMap((v) =>
        typeof v === 'object' && v !== null ? [`${path}[] ${canonical(v)}`] : [`${path}[] ${String(v)}`],
      );
    if (typeof value === 'object' && value !== null)
      return Object.entries(value).flatMap(([k, v]) => lines(v, path ? `${path}.${k}` : k));
    return [`${path} = ${String(value)}`];
  };
  const { Tags: _tags, ...properties } = resource.properties;
  return sortedUnique(lines(properties, ''));
}
