export * from './verify-deployment.js';
export * from './verify-trust.js';
