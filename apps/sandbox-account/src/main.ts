import { fileURLToPath } from 'node:url';
import { synthAccountApp } from '@airlock/shared';
import { SandboxAccountStack } from './sandbox-account-stack.js';

synthAccountApp({
  account: 'sandbox',
  outdir: fileURLToPath(new URL('../cdk.out', import.meta.url)),
  build: (app, airlock) => new SandboxAccountStack(app, { airlock }),
  managedServices: ['ec2', 'ecs', 'ecr', 'kms', 'logs', 'states', 'events', 'route53resolver'],
});
