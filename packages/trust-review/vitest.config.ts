import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      // One worker process runs every file, loading the review's modules and the IAM simulator once instead of once
      // per file (43 files), and the simulator's remembered answers serve every file: ~55 s -> ~16 s of CPU
      // (docs/performance.md). Safe here: no test mocks a module or changes the environment, and the sources keep
      // no state between calls but those answers, which depend only on the question.
      isolate: false,
    },
  }),
);
