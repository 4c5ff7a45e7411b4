import { fileURLToPath } from 'node:url';
import { loadTrustSurface, type Statement, type TrustSurface } from '@airlock/cloud-assembly';
import { loadEnvironment } from '@airlock/shared/environment';
import { describe, expect, it } from 'vitest';
import { endpointMatrix } from '../src/endpoint-matrix.js';

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`).
const root = fileURLToPath(new URL('../../../', import.meta.url));
const surface = loadTrustSurface(loadEnvironment('example'), root);
/** The surface with each endpoint policy whose logical ID matches rewritten statement by statement. */
const withEndpoint = (id: RegExp, change: (s: Statement) => Statement): TrustSurface => ({
  ...surface,
  resourcePolicies: surface.resourcePolicies.map((p) =>
    p.isEndpointPolicy && id.test(p.logicalId)
      ? { ...p, policy: { ...p.policy, Statement: p.policy.Statement.map(change) } }
      : p,
  ),
});
const failed = async (s: TrustSurface) => (await endpointMatrix(s)).filter((r) => !r.passed).map((r) => r.case);

describe('the VPC endpoint policies in the simulation', () => {
  it('refuse what each endpoint does not name, where the caller alone would be allowed, and let the runs through', async () => {
    const rows = await endpointMatrix(surface);
    expect(rows.length).toBeGreaterThanOrEqual(13);
    expect(rows.filter((r) => !r.passed)).toEqual([]);
    const refusals = rows.filter((r) => r.expected === 'Denied');
    expect(refusals.every((r) => r.actual === 'Denied (without the endpoint: Allowed)')).toBe(true);
    expect(new Set(rows.map((r) => r.hop))).toEqual(
      new Set([
        'sandbox S3 gateway endpoint',
        'sandbox ECR API endpoint',
        'sandbox ECR Docker endpoint',
        'sandbox CloudWatch Logs endpoint',
        'data S3 gateway endpoint',
        'data DynamoDB gateway endpoint',
        'data STS endpoint',
        'data KMS endpoint',
      ]),
    );
  });

  it("fails when the sandbox's S3 endpoint is widened to any bucket", async () => {
    const widened = withEndpoint(/S3/, ({ Condition: _dropped, ...s }) => ({ ...s, Action: 's3:*', Resource: '*' }));
    expect(await failed(widened)).toContainEqual(expect.stringMatching(/^an attacker's own keys/));
  });

  it('fails when the ECR endpoints admit any principal instead of the execution role', async () => {
    expect(await failed(withEndpoint(/Ecr/, (s) => ({ ...s, Principal: '*' })))).toEqual([
      'another principal of the sandbox account allowed everything pulls the runner image',
      'another principal of the sandbox account allowed everything pulls the runner image',
    ]);
  });

  it('fails, saying so, when an endpoint is missing from the templates', async () => {
    const withoutKms: TrustSurface = {
      ...surface,
      resourcePolicies: surface.resourcePolicies.filter((p) => !(p.isEndpointPolicy && /Kms/.test(p.logicalId))),
    };
    const row = (await endpointMatrix(withoutKms)).find((r) => r.hop === 'data KMS endpoint');
    expect(row?.passed).toBe(false);
    expect(row?.actual).toMatch(/^Error: no KMS endpoint in the data template/);
  });
});
