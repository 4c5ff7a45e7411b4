import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addNagChecks, CDK_FEATURE_FLAGS } from './account-app.js';

/**
 * Builds one account stack the way its app does (cdk-nag included) and synthesizes it once into a temporary
 * directory; an unacknowledged cdk-nag finding makes this throw.
 */
export function synthAccountStackForTest<S extends Stack>(build: (app: App) => S): { stack: S; template: Template } {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'airlock-synth-')), context: CDK_FEATURE_FLAGS });
  const stack = build(app);
  addNagChecks(app);
  return { stack, template: Template.fromStack(stack) };
}
