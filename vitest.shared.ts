import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Test settings every project shares; a project's vitest.config.ts starts from these. */
export const sharedTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/cdk.out/**'],
    // Synthesizing CDK stacks takes seconds on a 2-core machine.
    testTimeout: 60_000,
    // No CDK CloudFormation validation in tests: its engine's start-up costs ~4 s of CPU in every test file that
    // synthesizes; the real templates are validated by each app's validate-templates target.
    env: { CDK_VALIDATION: 'false' },
    hookTimeout: 60_000,
    // One temporary folder per test run, removed at its end (vitest.temp-dir.ts).
    globalSetup: [fileURLToPath(new URL('./vitest.temp-dir.ts', import.meta.url))],
  },
});
