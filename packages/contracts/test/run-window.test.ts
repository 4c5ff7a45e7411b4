import { describe, expect, it } from 'vitest';
import { MAX_URL_LIFETIME_SECONDS, runWindow, URL_MARGIN_SECONDS } from '../src/run-window.js';

describe('run window', () => {
  it('puts the deadline after the start margin and the timeout, and the URLs and hard stop one margin later', () => {
    expect(runWindow(300, 180)).toEqual({ deadlineSeconds: 480, urlLifetimeSeconds: 540, hardStopSeconds: 540 });
    expect(URL_MARGIN_SECONDS).toBe(60);
  });

  it('never lets a URL or the task outlive one hour, whatever the timeout', () => {
    expect(MAX_URL_LIFETIME_SECONDS).toBe(3600);
    expect(runWindow(3500, 180)).toEqual({ deadlineSeconds: 3680, urlLifetimeSeconds: 3600, hardStopSeconds: 3600 });
  });
});
