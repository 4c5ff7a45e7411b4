import { describe, expect, it } from 'vitest';
import { servicePrincipalBinding } from '../../src/rules/service-principal-binding.js';
import { role, statesTrust, surfaceOf, targetTrust } from './surface.js';

describe('service-principal-binding', () => {
  it('is compliant for states.amazonaws.com bound by aws:SourceAccount and aws:SourceArn', () => {
    expect(servicePrincipalBinding.check(surfaceOf({ roles: [role('orchestrator', 'exec', [statesTrust])] }))).toEqual([
      { account: 'orchestrator', subject: 'role exec', compliance: 'compliant' },
    ]);
  });

  it('does not apply to a role trusted by no service', () => {
    expect(servicePrincipalBinding.check(surfaceOf({ roles: [role('data', 'target', [targetTrust])] }))).toEqual([
      { account: 'data', subject: 'role target', compliance: 'not-applicable' },
    ]);
  });

  it('fails for a service principal without aws:SourceAccount or aws:SourceArn', () => {
    const unbound = { ...statesTrust, Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } };
    expect(servicePrincipalBinding.check(surfaceOf({ roles: [role('orchestrator', 'exec', [unbound])] }))).toEqual([
      {
        account: 'orchestrator',
        subject: 'role exec',
        compliance: 'non-compliant',
        message: 'trusts states.amazonaws.com without aws:SourceAccount or aws:SourceArn',
      },
    ]);
  });

  it('fails for a service principal bound to another account', () => {
    const foreign = { ...statesTrust, Condition: { StringEquals: { 'aws:SourceAccount': '999999999999' } } };
    expect(servicePrincipalBinding.check(surfaceOf({ roles: [role('orchestrator', 'exec', [foreign])] }))).toEqual([
      expect.objectContaining({
        message: 'trusts states.amazonaws.com with aws:SourceAccount ["999999999999"], not this account (111111111111)',
      }),
    ]);
  });
});
