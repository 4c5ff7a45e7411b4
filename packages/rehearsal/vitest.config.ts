import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      // Vitest's default on 2 cores is one file at a time, and these files mostly wait (on containers held to the
      // task's CPU share, on run deadlines, on child `npm start`s): three at a time take a third of the wall time.
      maxWorkers: 3,
    },
  }),
);
