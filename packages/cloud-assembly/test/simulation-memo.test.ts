import * as iamSimulate from '@cloud-copilot/iam-simulate';
import { describe, expect, it, vi } from 'vitest';
import type { PolicyDocument } from '../src/policy-types.js';
import { simulateRequest, type SimulationRequest } from '../src/simulate.js';

// Counts the simulator's own runs; every call still reaches the real simulator.
vi.mock('@cloud-copilot/iam-simulate', async (importOriginal) => {
  const original = await importOriginal<typeof iamSimulate>();
  return { ...original, runSimulation: vi.fn(original.runSimulation) };
});
const runs = () => vi.mocked(iamSimulate.runSimulation).mock.calls.length;

const ORCHESTRATOR = 'arn:aws:iam::111111111111:role/airlock-example-orchestrator';
/** A trust that admits the orchestrator only with one ExternalId: the answer turns on one context value. */
const trust = (externalId: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: ORCHESTRATOR },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': externalId } },
    },
  ],
});
const assume = (externalId: string, trusted = 'the-id'): SimulationRequest => ({
  principal: ORCHESTRATOR,
  identityPolicies: [
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
  ],
  action: 'sts:AssumeRole',
  resource: 'arn:aws:iam::222222222222:role/airlock-example-sandbox-launcher',
  resourceAccount: '222222222222',
  resourcePolicy: trust(trusted),
  context: { 'sts:ExternalId': externalId },
});
const allowed = async (request: SimulationRequest) => {
  const result = await simulateRequest(request);
  if (result.kind === 'error') throw new Error(result.errors);
  return result.allowed;
};

describe('the simulator is asked each distinct question once per process', () => {
  it('answers an identical question from memory, without running the simulator again', async () => {
    const before = runs();
    expect(await allowed(assume('the-id'))).toBe(true);
    expect(await allowed(assume('the-id'))).toBe(true);
    expect(runs() - before).toBe(1);
  });

  it('asks again when only a context value differs, and gets that question its own answer', async () => {
    const before = runs();
    expect(await allowed(assume('the-id', 'id-2'))).toBe(false);
    expect(await allowed(assume('id-2', 'id-2'))).toBe(true);
    expect(await allowed(assume('another-id', 'id-2'))).toBe(false);
    expect(runs() - before).toBe(3);
  });

  it('asks again when only a policy differs', async () => {
    expect(await allowed(assume('id-3', 'id-3'))).toBe(true);
    expect(await allowed(assume('id-3', 'id-4'))).toBe(false);
  });
});
