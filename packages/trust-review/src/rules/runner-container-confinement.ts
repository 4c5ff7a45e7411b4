import { CONTAINER_NAMES, CONTAINER_VARIABLES, runnerTaskDefinitionFamily, VARIABLE } from '@airlock/contracts';
import { defineRule, verdictsFor } from './define-rule.js';

/** A user that is root by name or number, or no user at all (the image's default, root unless it says otherwise). */
const runsAsRoot = (user: string | undefined): boolean => user === undefined || /^(0|root)(:|$)/.test(user);
const URL_VARIABLES: readonly string[] = [VARIABLE.INPUT_URL, VARIABLE.OUTPUT_POST];

export const runnerContainerConfinement = defineRule({
  id: 'runner-container-confinement',
  invariant: 'I4, I5',
  explanation:
    'Every container of the untrusted task runs in awsvpc mode as a non-root user with a read-only root, not ' +
    'privileged, with every capability dropped and none added; the task has exactly the fetch, run and deliver ' +
    'containers, and no URL is ever part of a fixed environment (only fetch and deliver receive one, per run).',
  check: (surface) =>
    surface.taskDefinitions
      .filter((t) => t.account === 'sandbox' && t.family === runnerTaskDefinitionFamily(surface.env))
      .flatMap((task) => {
        const names = task.containers.map((c) => c.name).sort();
        const problems = [
          task.networkMode !== 'awsvpc' && `network mode is ${task.networkMode ?? 'the default'}, not awsvpc`,
          names.join() !== [...CONTAINER_NAMES].sort().join() &&
            `has containers ${names.join(', ') || 'none'}, not exactly ${CONTAINER_NAMES.join(', ')}`,
          ...task.containers.flatMap((c) => [
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
