import { fileURLToPath } from 'node:url';
import { DeployAccessStack, synthAccountApp } from '@airlock/shared';
import { SandboxAccountStack } from './sandbox-account-stack.js';

/** Services the sandbox stack manages; its CloudFormation execution policy allows these and no others. */
const MANAGED_SERVICES = ['ec2', 'ecs', 'ecr', 'kms', 'logs', 'ssm', 'route53resolver'];

synthAccountApp({
  account: 'sandbox',
  outdir: fileURLToPath(new URL('../cdk.out', import.meta.url)),
  build: (app, airlock) => {
    new SandboxAccountStack(app, { airlock });
    if (airlock.github) new DeployAccessStack(app, { airlock: { ...airlock, github: airlock.github }, account: 'sandbox', services: MANAGED_SERVICES });
  },
});
