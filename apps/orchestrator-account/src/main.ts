import { fileURLToPath } from 'node:url';
import { DeployAccessStack, synthAccountApp } from '@airlock/shared';
import { OrchestratorAccountStack } from './orchestrator-account-stack.js';

/** Services the orchestrator stack manages; its CloudFormation execution policy allows these and no others. */
const MANAGED_SERVICES = ['states', 'kms', 'logs'];

synthAccountApp({
  account: 'orchestrator',
  outdir: fileURLToPath(new URL('../cdk.out', import.meta.url)),
  build: (app, airlock) => {
    new OrchestratorAccountStack(app, { airlock });
    if (airlock.github) new DeployAccessStack(app, { airlock: { ...airlock, github: airlock.github }, account: 'orchestrator', services: MANAGED_SERVICES });
  },
});
