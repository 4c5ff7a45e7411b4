import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      include: ['runner/test/**/*.test.ts', 'test/**/*.test.ts'],
      // Vitest's default on 2 cores is one file at a time; hostile-run.test.ts mostly waits on its submissions'
      // timers, so a second file beside it takes the project's wall time from ~40 s to its own ~20 s.
      maxWorkers: 2,
    },
  }),
);
