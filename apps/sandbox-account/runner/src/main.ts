import { deliverRole } from './roles/deliver-role.js';
import { fetchRole } from './roles/fetch-role.js';
import { RoleRefusal } from './roles/role-config.js';
import type { RoleOutcome } from './roles/role-outcome.js';
import { runRole } from './roles/run-role.js';
import { CONTAINER, CONTAINER_EXIT, CONTAINER_NAMES } from '@airlock/contracts';

// The image's entrypoint; the task definition's `command` picks the container's role: fetch, run or deliver.
async function main(role: string | undefined): Promise<number> {
  const log = `airlock-runner ${role}`;
  let outcome: RoleOutcome;
  try {
    // Each role reads only its own variables; none is ever logged (the URLs grant access until they expire).
    outcome = await runAs(role, process.env);
  } catch (error) {
    if (!(error instanceof RoleRefusal)) throw error;
    outcome = error;
  }
  (outcome.exitCode === CONTAINER_EXIT.OK ? console.log : console.error)(`${log}: ${outcome.message}`);
  return outcome.exitCode;
}

function runAs(role: string | undefined, env: NodeJS.ProcessEnv): Promise<RoleOutcome> {
  switch (role) {
    case CONTAINER.FETCH:
      return fetchRole(env);
    case CONTAINER.DELIVER:
      // Works outside the volume it reads as hostile.
      process.chdir('/');
      return deliverRole(env);
    case CONTAINER.RUN: {
      // As PID 1 the kernel delivers no signal it has no handler for: StopTask's SIGTERM must be handled to act.
      const stop = new AbortController();
      process.once('SIGTERM', () => stop.abort());
      return runRole(env, stop.signal);
    }
    default:
      throw new RoleRefusal(
        CONTAINER_EXIT.BAD_ENVIRONMENT,
        `unknown role "${role ?? ''}": the container command must be one of ${CONTAINER_NAMES.join(', ')}`,
      );
  }
}

process.exitCode = await main(process.argv[2]);
