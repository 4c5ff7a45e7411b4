import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      // One worker process runs every file, loading aws-cdk-lib and the sources once instead of once per file
      // (docs/performance.md, "Fifth round"). Safe here: no test mocks a module or changes the environment.
      isolate: false,
    },
  }),
);
