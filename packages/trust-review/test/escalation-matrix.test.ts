import { fileURLToPath } from 'node:url';
import { loadEnvironment } from '@airlock/shared/environment';
import { loadTrustSurface, type PolicyDocument, type TrustSurface } from '@airlock/cloud-assembly';
import { beforeAll, describe, expect, it } from 'vitest';
import { escalationMatrix, type EscalationRow } from '../src/escalation-matrix.js';

// Templates synthesized by the apps' `synth` targets (the test target depends on them).
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
const surface = loadTrustSurface(loadEnvironment('example'), workspaceRoot);

/** The same surface with one statement (by Sid) removed from every deploy-access managed policy: a fix undone. */
const without = (sid: string): TrustSurface => ({
  ...surface,
  managedPolicies: surface.managedPolicies.map((p) => ({
    ...p,
    document: { ...p.document, Statement: p.document.Statement.filter((s) => s.Sid !== sid) } as PolicyDocument,
  })),
});
const row = (rows: readonly EscalationRow[], account: string, actor: string, attack: string) => {
  const found = rows.filter((r) => r.hop.startsWith(actor) && r.hop.endsWith(`(${account})`) && r.case === attack);
  expect(found, `${actor} / ${attack} in ${account}`).toHaveLength(1);
  return found[0]!;
};
const EVERYDAY = (account: string) => `CloudFormation with airlock-example-${account}-cfn-exec`;
const BROADENING = (account: string) => `CloudFormation with airlock-example-${account}-cfn-broadening`;
const DEPLOY = (account: string) => `airlock-example-${account}-deploy (`;

describe('escalation matrix: a stolen deploy session against the synthesized deploy access', () => {
  let rows: EscalationRow[];
  beforeAll(async () => {
    rows = await escalationMatrix(surface);
  }, 120_000);

  it('simulates every attack in every account, each as expected', () => {
    for (const account of ['orchestrator', 'sandbox', 'data'])
      expect(rows.filter((r) => r.hop.endsWith(`(${account})`)).length).toBeGreaterThan(90);
    expect(rows.filter((r) => !r.passed).map((r) => `${r.hop}: ${r.case}: ${r.actual}`)).toEqual([]);
  });

  it.each([
    ['create a role without the boundary', 'DenyBroadeningTrustNetworkAndResourcePolicies'],
    ["edit the trust of the account's cross-account role", 'DenyBroadeningTrustNetworkAndResourcePolicies'],
    ['remove the boundary from a role', 'DenyRemovingTheBoundary'],
    ['edit a role that has no boundary', 'DenyRolesWithoutTheBoundary'],
    ['attach AdministratorAccess to a role', 'DenyAttachingManagedPolicies'],
    ['new default version of airlock-example-data-boundary', 'DenyEditingTheDeployAccess'],
    ['switch airlock-example-data-cfn-exec to another version', 'DenyEditingTheDeployAccess'],
    ['delete airlock-example-data-cfn-broadening', 'DenyEditingTheDeployAccess'],
    ['put an inline policy on airlock-example-data-deploy', 'DenyEditingTheDeployAccess'],
    ['turn the kill switch off', 'DenyDetachingTheKillSwitch'],
    ['create the kill-switch policy first (squat its name)', 'DenyEditingTheDeployAccess'],
    ['pass the broadening execution role to CloudFormation', 'DenyPassingTheBroadeningExecutionRole'],
    ['pass the deploy role to a service', 'DenyPassingTheDeployAccessRoles'],
    ['change the data bucket policy', 'DenyBroadeningTrustNetworkAndResourcePolicies'],
    ['change a key policy', 'DenyBroadeningTrustNetworkAndResourcePolicies'],
    [`grant account 999999999999 the key`, 'DenyKeyGrantsNotForAnAwsResource'],
  ])('everyday path (data): "%s" is denied by %s', (attack, sid) => {
    expect(row(rows, 'data', EVERYDAY('data'), attack).actual).toBe(
      `Denied: Denied by airlock-example-data-cfn-exec#${sid}`,
    );
  });

  it.each([
    ['create a security group (it allows all egress)', 'DenyBroadeningTrustNetworkAndResourcePolicies'],
    ['allow a name through the DNS firewall', 'DenyBroadeningTrustNetworkAndResourcePolicies'],
    ["put another DNS firewall rule group in front of the VPC's", 'DenyBroadeningTrustNetworkAndResourcePolicies'],
    ['detach the DNS firewall from the VPC', 'DenyBroadeningTrustNetworkAndResourcePolicies'],
    ['change a VPC endpoint policy', 'DenyBroadeningTrustNetworkAndResourcePolicies'],
    ['change a repository policy', 'DenyBroadeningTrustNetworkAndResourcePolicies'],
  ])('everyday path (sandbox): "%s" is denied by %s', (attack, sid) => {
    expect(row(rows, 'sandbox', EVERYDAY('sandbox'), attack).actual).toBe(
      `Denied: Denied by airlock-example-sandbox-cfn-exec#${sid}`,
    );
  });

  it('nothing the everyday path may create can be started by it, nor can it create users or keys', () => {
    for (const attack of [
      'invoke a function it created',
      'let anyone invoke a function it created',
      'wire a trigger to a function it created',
      'start a state machine it created',
      'run an ECS task',
      'create an IAM user',
      'create an access key',
    ])
      expect(row(rows, 'data', EVERYDAY('data'), attack).actual).toBe(
        'Denied: Denied: no statement of the identity policy allows it',
      );
  });

  it('the deploy role itself reaches only the CDK bootstrap roles, within its boundary', () => {
    expect(row(rows, 'sandbox', DEPLOY('sandbox'), 'assume the CDK deploy role (the everyday door)').actual).toBe(
      'Allowed: Allowed by airlock-example-sandbox-deploy/assume-cdk-bootstrap-roles#0 within airlock-example-sandbox-boundary#AssumeOnlyTheseRoles',
    );
    expect(row(rows, 'sandbox', DEPLOY('sandbox'), 'put an inline policy on itself').actual).toBe(
      'Denied: Denied by airlock-example-sandbox-boundary#DenyEditingTheDeployAccess',
    );
  });

  it('a reviewer-approved broadening still cannot attach managed policies, lift the kill switch or edit deploy access', () => {
    expect(row(rows, 'data', BROADENING('data'), 'attach AdministratorAccess to a role').actual).toBe(
      'Denied: Denied by airlock-example-data-cfn-broadening#DenyAttachingManagedPolicies',
    );
    expect(row(rows, 'data', BROADENING('data'), 'turn the kill switch off').actual).toBe(
      'Denied: Denied by airlock-example-data-cfn-broadening#DenyDetachingTheKillSwitch',
    );
    expect(
      row(rows, 'sandbox', BROADENING('sandbox'), "change the trust of the account's own role (the reviewed path)")
        .actual,
    ).toBe(
      'Allowed: Allowed by airlock-example-sandbox-cfn-broadening#BroadeningChangeTheAppsOwnTrust within airlock-example-sandbox-boundary#WriteOnlyTheAccountsOwnRoles',
    );
  });

  it('the on-call administrator can turn the kill switch on and off in the sandbox and data accounts', () => {
    for (const account of ['sandbox', 'data'])
      for (const attack of ['turn the kill switch on', 'turn the kill switch off'])
        expect(row(rows, account, 'on-call administrator', attack).actual).toBe(
          'Allowed: Allowed by AdministratorAccess#0',
        );
  });

  it.each([
    ['DenyAttachingManagedPolicies', 'attach AdministratorAccess to a role'],
    ['DenyDetachingTheKillSwitch', 'turn the kill switch off'],
    ['DenyPassingTheBroadeningExecutionRole', 'pass the broadening execution role to CloudFormation'],
    ['DenyPassingTheDeployAccessRoles', 'pass the deploy role to a service'],
    ['DenyKeyGrantsNotForAnAwsResource', 'grant account 999999999999 the key'],
    ['DenyBroadeningTrustNetworkAndResourcePolicies', 'change the data bucket policy'],
  ])(
    'fails when %s is removed: "%s" becomes allowed',
    async (sid, attack) => {
      const undone = await escalationMatrix(without(sid));
      const attacked = row(undone, 'data', EVERYDAY('data'), attack);
      expect(attacked.passed).toBe(false);
      expect(attacked.actual).toMatch(/^Allowed: Allowed by airlock-example-data-cfn-exec#/);
    },
    120_000,
  );
});
