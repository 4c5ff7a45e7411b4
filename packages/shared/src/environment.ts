// Environment config without any CDK construct code, for tools (CLI, rehearsal, deploy). Names and data keys are
// in @airlock/contracts.
export * from './config/config-error.js';
export * from './config/environment-schema.js';
export * from './config/load-environment.js';
