import { describe, expect, it } from 'vitest';
import {
  CONTAINER,
  CONTAINER_VARIABLES,
  LAUNCH_REQUEST_FIELDS,
  LAUNCH_REQUEST_VARIABLES,
  launchHopTimeoutSeconds,
  LAUNCH_CLEANUP_MAX_SECONDS,
  LAUNCH_ECS_CALL_MAX_SECONDS,
  LAUNCH_RUN_TASK_RETRY_MAX_SECONDS,
  LAUNCH_STOP_CHECK_INTERVAL_SECONDS,
  LAUNCH_STOP_CHECKS,
  launchRequestParameters,
  launchTaskTimeoutSeconds,
  TASK_START_MARGIN_SECONDS,
  VARIABLE,
} from '../src/index.js';

describe('launch request', () => {
  it('is built from a state path holding the grant, field by field', () => {
    expect(launchRequestParameters('$.finalize.task')).toEqual({
      'inputUrl.$': '$.finalize.task.inputUrl',
      'outputPost.$': '$.finalize.task.outputPost',
      'deadline.$': '$.finalize.task.deadline',
    });
    expect(Object.keys(launchRequestParameters('$')).map((k) => k.slice(0, -2))).toEqual([...LAUNCH_REQUEST_FIELDS]);
  });

  it('fails when the path is not a plain JSONPath', () => {
    expect(() => launchRequestParameters('$.a[0]')).toThrow(/must look like "\$\.a\.b"/);
  });

  it('puts each URL only in the variable of the container that needs it', () => {
    const receivers = (variable: string) =>
      Object.entries(CONTAINER_VARIABLES)
        .filter(([, v]) => (v.perRun as readonly string[]).includes(variable))
        .map(([name]) => name);
    expect(receivers(LAUNCH_REQUEST_VARIABLES.inputUrl)).toEqual([CONTAINER.FETCH]);
    expect(receivers(LAUNCH_REQUEST_VARIABLES.outputPost)).toEqual([CONTAINER.DELIVER]);
    expect(receivers(VARIABLE.RUN_DEADLINE)).toEqual([CONTAINER.FETCH, CONTAINER.RUN]);
  });
});

describe('launch timeouts', () => {
  it('gives the task the run time plus the start margin, and the hop more than the launch worst case', () => {
    expect(launchTaskTimeoutSeconds(900)).toBe(900 + TASK_START_MARGIN_SECONDS);
    expect(launchHopTimeoutSeconds(900)).toBeGreaterThan(
      LAUNCH_RUN_TASK_RETRY_MAX_SECONDS + launchTaskTimeoutSeconds(900) + LAUNCH_CLEANUP_MAX_SECONDS,
    );
  });

  it('bounds the find-and-stop path by every stop check and ECS call at its worst, retries included', () => {
    // 4 attempts of 10 s and waits of 1, 2 and 4 s between them.
    expect(LAUNCH_ECS_CALL_MAX_SECONDS).toBe(4 * 10 + 1 + 2 + 4);
    expect(LAUNCH_CLEANUP_MAX_SECONDS).toBe(
      (LAUNCH_STOP_CHECKS + 1) * (LAUNCH_STOP_CHECK_INTERVAL_SECONDS + LAUNCH_ECS_CALL_MAX_SECONDS) +
        3 * LAUNCH_ECS_CALL_MAX_SECONDS,
    );
  });
});
