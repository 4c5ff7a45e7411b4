import { fileURLToPath } from 'node:url';
import { DeployAccessStack, synthAccountApp } from '@airlock/shared';
import { DataAccountStack } from './data-account-stack.js';

/** Services the data stack manages; its CloudFormation execution policy allows these and no others. */
const MANAGED_SERVICES = ['s3', 'dynamodb', 'states', 'lambda', 'kms', 'logs'];

synthAccountApp({
  account: 'data',
  outdir: fileURLToPath(new URL('../cdk.out', import.meta.url)),
  build: (app, airlock) => {
    new DataAccountStack(app, { airlock });
    if (airlock.github) new DeployAccessStack(app, { airlock: { ...airlock, github: airlock.github }, account: 'data', services: MANAGED_SERVICES });
  },
});
