import { describe, expect, it } from 'vitest';
import { launchHopTimeoutSeconds, launchTaskTimeoutSeconds } from '../src/launch.js';
import { MAX_URL_LIFETIME_SECONDS, runWindow, URL_MARGIN_SECONDS } from '../src/run-window.js';

describe('run window', () => {
  it('puts the deadline after the start margin and the timeout, and the URLs one margin later', () => {
    expect(runWindow(300, 180)).toMatchObject({ deadlineSeconds: 480, urlLifetimeSeconds: 540 });
    expect(URL_MARGIN_SECONDS).toBe(60);
  });

  it('never lets a URL outlive one hour, whatever the timeout', () => {
    expect(MAX_URL_LIFETIME_SECONDS).toBe(3600);
    expect(runWindow(3500, 180)).toMatchObject({ deadlineSeconds: 3680, urlLifetimeSeconds: 3600 });
  });

  it("takes the task's timeout and the hard stop from the launch workflow's worst case", () => {
    const window = runWindow(300);
    expect(window.taskTimeoutSeconds).toBe(launchTaskTimeoutSeconds(300));
    expect(window.taskTimeoutSeconds).toBeGreaterThanOrEqual(window.deadlineSeconds);
    expect(window.hardStopSeconds).toBe(launchHopTimeoutSeconds(300));
  });

  it('sweeps for as long as a URL works or a task may live, whichever is later', () => {
    const window = runWindow(300);
    expect(window.sweepSeconds).toBe(Math.max(window.urlLifetimeSeconds, window.hardStopSeconds));
    expect(runWindow(3500).sweepSeconds).toBe(launchHopTimeoutSeconds(3500));
  });
});
