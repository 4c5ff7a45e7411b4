import { fileURLToPath } from 'node:url';
import { synthAccountApp } from '@airlock/shared';
import { OrchestratorAccountStack } from './orchestrator-account-stack.js';

synthAccountApp({
  account: 'orchestrator',
  outdir: fileURLToPath(new URL('../cdk.out', import.meta.url)),
  build: (app, airlock) => new OrchestratorAccountStack(app, { airlock }),
  managedServices: ['states', 'kms', 'logs'],
});
