// What the operator CLI and the canary both do against a deployed environment: check whose credentials they hold,
// upload a submission, follow an execution; and the one-line error an operator can act on.
export * from './cli-error.js';
export * from './preflight.js';
export * from './follow-execution.js';
export * from './upload-submission.js';
