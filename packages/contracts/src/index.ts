// Everything that crosses an account or process boundary. Bundle-safe: no CDK, zod, node:fs or AWS SDK (lint-enforced).
export * from './names.js';
export * from './data-keys.js';
export * from './archive/archive-policy.js';
export * from './submission-limits.js';
export * from './run-grant.js';
export * from './launch.js';
export * from './runner-output.js';
export * from './data-plane.js';
export * from './records.js';
export * from './runner-task.js';
export * from './kill-switch.js';
export * from './run-network.js';
export * from './run-window.js';
export * from './signer-session-policy.js';
export * from './probe-findings.js';
