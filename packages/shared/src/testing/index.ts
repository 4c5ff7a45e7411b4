// Test support shared by the projects' tests; nothing here is used by deployed code.
export * from './example-trust.js';
export * from './tar-gz.js';
