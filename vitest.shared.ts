import { defineConfig } from 'vitest/config';

/** Test settings every project shares; a project's vitest.config.ts starts from these. */
export const sharedTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/cdk.out/**'],
    // Synthesizing CDK stacks takes seconds on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
