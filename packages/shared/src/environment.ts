// Config, names and data keys without any CDK construct code: for tools and runtime code (CLI, rehearsal).
export * from './config/config-error.js';
export * from './config/environment-schema.js';
export * from './config/load-environment.js';
export * from './names.js';
export * from './data-keys.js';
