import type { ContainerModel, TaskDefinitionModel } from '@airlock/cloud-assembly';
import {
  CONTAINER,
  CONTAINER_NAMES,
  CONTAINER_VARIABLES,
  runnerTaskDefinitionFamily,
  SCRATCH_PATH,
  VARIABLE,
} from '@airlock/contracts';
import { defineRule, verdictsFor } from './define-rule.js';

/** A user that is root by name or number, or no user at all (the image's default, root unless it says otherwise). */
const runsAsRoot = (user: string | undefined): boolean => user === undefined || /^(0|root)(:|$)/.test(user);
const URL_VARIABLES: readonly string[] = [VARIABLE.INPUT_URL, VARIABLE.OUTPUT_POST];

/** Task-level settings that join the three containers (or the task and the host) into one namespace. */
function taskNamespaceProblems(task: TaskDefinitionModel): Array<string | false> {
  return [
    // One PID namespace (task or host) lets run's processes read /proc/<pid>/environ of fetch and deliver: the URLs.
    task.pidMode !== undefined &&
      `shares a process namespace (PidMode ${task.pidMode}); each container must have its own`,
    // Shared IPC means shared memory and semaphores between untrusted code and the URL holders (or the host).
    task.ipcMode !== undefined && `shares an IPC namespace (IpcMode ${task.ipcMode}); each container must have its own`,
    // Only the task's own ephemeral storage: a host path, EFS, FSx or Docker volume outlives the run or is shared.
    ...task.volumes
      .filter((v) => v.source !== 'bind')
      .map((v) => `volume ${v.name} comes from ${v.source}, not the task's own ephemeral storage`),
  ];
}

/** Container settings that hand the container a secret, a host resource or a weaker kernel confinement. */
function containerExtrasProblems(task: TaskDefinitionModel, c: ContainerModel): Array<string | false> {
  const bindVolumes = task.volumes.filter((v) => v.source === 'bind').map((v) => v.name);
  return [
    // Variables loaded from S3 at launch are outside this review: a URL or credential could arrive that way.
    c.environmentFiles.length > 0 && `container ${c.name} loads environment files ${c.environmentFiles.join(', ')}`,
    // The untrusted task holds no credential; a secret in any of its containers is readable by run (same uid).
    c.secrets.length > 0 && `container ${c.name} receives secrets ${c.secrets.join(', ')}`,
    c.repositoryCredentials && `container ${c.name} pulls with repository credentials (a secret)`,
    // A host device is a path around the file system and network confinement.
    c.devices.length > 0 && `container ${c.name} maps host devices ${c.devices.join(', ')}`,
    // seccomp, AppArmor or SELinux options can only loosen the default profiles here.
    c.dockerSecurityOptions.length > 0 &&
      `container ${c.name} sets docker security options ${c.dockerSecurityOptions.join(', ')}`,
    // Namespaced sysctls (net.*) can change how the task's network behaves.
    c.systemControls.length > 0 && `container ${c.name} sets kernel parameters ${c.systemControls.join(', ')}`,
    // Another container's volumes are its files (deliver's read-only view, fetch's downloads) under its rules.
    c.volumesFrom.length > 0 && `container ${c.name} mounts the volumes of ${c.volumesFrom.join(', ')}`,
    // The scratch volume at its one path is all a container may mount; anything else is another way in or out.
    ...c.mountPoints
      .filter((m) => !bindVolumes.includes(m.sourceVolume) || m.containerPath !== SCRATCH_PATH)
      .map(
        (m) =>
          `container ${c.name} mounts ${m.sourceVolume} at ${m.containerPath}, not the task's scratch volume at ${SCRATCH_PATH}`,
      ),
    // deliver treats what run left as hostile and must not change it (design, step 3).
    c.name === CONTAINER.DELIVER &&
      c.mountPoints.some((m) => !m.readOnly) &&
      `container ${c.name} mounts the scratch volume writable, not read-only`,
  ];
}

export const runnerContainerConfinement = defineRule({
  id: 'runner-container-confinement',
  invariant: 'I4, I5',
  explanation:
    'Every container of the untrusted task runs in awsvpc mode as a non-root user with a read-only root, not ' +
    'privileged, with every capability dropped and none added; the task has exactly the fetch, run and deliver ' +
    'containers, and no URL is ever part of a fixed environment (only fetch and deliver receive one, per run). ' +
    'No shared PID or IPC namespace, no secrets, environment files, devices, security options, sysctls or ' +
    "another container's volumes; only the task's own scratch volume, read-only for deliver.",
  check: (surface) =>
    surface.taskDefinitions
      .filter((t) => t.account === 'sandbox' && t.family === runnerTaskDefinitionFamily(surface.env))
      .flatMap((task) => {
        const names = task.containers.map((c) => c.name).sort();
        const problems = [
          task.networkMode !== 'awsvpc' && `network mode is ${task.networkMode ?? 'the default'}, not awsvpc`,
          names.join() !== [...CONTAINER_NAMES].sort().join() &&
            `has containers ${names.join(', ') || 'none'}, not exactly ${CONTAINER_NAMES.join(', ')}`,
          ...taskNamespaceProblems(task),
          ...task.containers.flatMap((c) => [
            ...containerExtrasProblems(task, c),
            runsAsRoot(c.user) &&
              `container ${c.name} runs as ${c.user ?? "the image's default user"}, not a non-root user`,
            !c.readonlyRootFilesystem && `container ${c.name} has a writable root file system`,
            c.privileged && `container ${c.name} is privileged`,
            c.addedCapabilities.length > 0 && `container ${c.name} adds capabilities ${c.addedCapabilities.join(', ')}`,
            !c.droppedCapabilities.includes('ALL') && `container ${c.name} does not drop ALL capabilities`,
            ...c.environmentNames
              .filter((name) => URL_VARIABLES.includes(name))
              .map((name) => `container ${c.name} has ${name} in its fixed environment`),
            ...c.environmentNames
              .filter(
                (name) =>
                  !(
                    CONTAINER_VARIABLES[c.name as keyof typeof CONTAINER_VARIABLES]?.fixed as
                      readonly string[] | undefined
                  )?.includes(name),
              )
              .map(
                (name) => `container ${c.name} has ${name} in its fixed environment, which its contract does not list`,
              ),
          ]),
        ].filter((p): p is string => typeof p === 'string');
        return verdictsFor({ account: 'sandbox', subject: `task definition ${task.family}` }, problems);
      }),
});
