import { fileURLToPath } from 'node:url';
import { loadTrustSurface, type TrustSurface } from '@airlock/cloud-assembly';
import { loadEnvironment } from '@airlock/shared/environment';
import { describe, expect, it } from 'vitest';
import { urlReaders } from '../src/url-readers.js';

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`).
const root = fileURLToPath(new URL('../../../', import.meta.url));
const surface = loadTrustSurface(loadEnvironment('example'), root);
const readersOf = (s: TrustSurface, where: RegExp) => urlReaders(s).find((r) => where.test(r.where))?.readers;

describe("who can read a run's URLs", () => {
  it("names only the analysis workflow's role for its history", () => {
    expect(readersOf(surface, /analysis's execution history/)).toEqual([
      'arn:aws:iam::111111111111:role/airlock-example-orchestrator',
    ]);
  });

  it("names the launch workflow's role and the orchestrator's launcher role for the launch history", () => {
    expect(readersOf(surface, /launch's execution history/)).toEqual([
      expect.stringMatching(/^arn:aws:iam::222222222222:role\/airlock-example-sandbox-LaunchRole/),
      'arn:aws:iam::222222222222:role/airlock-example-sandbox-launcher',
    ]);
  });

  it('says the whole account can read a history whose key has no Deny', () => {
    const withoutDeny: TrustSurface = {
      ...surface,
      resourcePolicies: surface.resourcePolicies.map((p) => ({
        ...p,
        policy: { ...p.policy, Statement: p.policy.Statement.filter((s) => s.Sid !== 'DecryptOnlyByNamedReaders') },
      })),
    };
    expect(readersOf(withoutDeny, /analysis's execution history/)).toEqual([
      'any principal of the orchestrator account that IAM allows kms:Decrypt',
    ]);
  });

  it('lists the containers the launch workflow gives a URL: fetch and deliver, never run', () => {
    expect(readersOf(surface, /task's environment/)).toEqual(['container fetch', 'container deliver']);
  });
});
