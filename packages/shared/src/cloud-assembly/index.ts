// Reading the synthesized cloud assemblies: intrinsics resolved, IAM-relevant resources modelled. Used by the
// trust review and the rehearsal; no CDK construct code.
export * from './policy-types.js';
export * from './resolve-intrinsics.js';
export * from './trust-surface.js';
