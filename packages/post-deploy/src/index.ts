export * from './check-result.js';
export * from './verification-report.js';
export * from './verify-against-assembly.js';
export * from './verify-deployment.js';
export * from './verify-trust.js';
