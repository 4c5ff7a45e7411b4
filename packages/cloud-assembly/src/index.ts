// Dev-only: reading the synthesized cloud assemblies (intrinsics resolved, IAM-relevant resources modelled) and
// asking the IAM simulator about them. Used by the trust review and the rehearsal; never by apps or packages/shared.
export * from './account-assembly.js';
export * from './policy-types.js';
export * from './resolve-intrinsics.js';
export * from './simulate.js';
export * from './state-machine-definition.js';
export * from './trust-surface.js';
