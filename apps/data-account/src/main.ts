import { fileURLToPath } from 'node:url';
import { synthAccountApp } from '@airlock/shared';
import { DataAccountStack } from './data-account-stack.js';

synthAccountApp({
  account: 'data',
  outdir: fileURLToPath(new URL('../cdk.out', import.meta.url)),
  build: (app, airlock) => new DataAccountStack(app, { airlock }),
  managedServices: ['s3', 'dynamodb', 'states', 'lambda', 'kms', 'logs', 'events', 'ec2', 'route53resolver'],
});
