export * from './environment.js';
export * from './config/name-rules.js';
export * from './trust.js';
export * from './cdk/account-app.js';
export * from './cdk/account-stack.js';
export * from './cdk/logs-encryption-key.js';
export * from './cdk/synth-for-test.js';
export * from './cdk/deploy-access-stack.js';
