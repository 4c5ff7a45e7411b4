import { describe, expect, it } from 'vitest';
import { loadTrustSurface } from '@airlock/cloud-assembly';
import { organizationGuardrails, type Guardrail } from '@airlock/shared/organization-guardrails';
import { baselineOf, describeDrift } from '../src/baseline.js';
import { guardrailMatrix } from '../src/guardrail-matrix.js';
import { guardrailFindings } from '../src/guardrail-size.js';
import { exitCodeOf, EXIT } from '../src/review.js';
import { env, scratch, workspaceRoot, type Template } from './scratch-workspace.js';

const surface = loadTrustSurface(env, workspaceRoot);
const guardrails = organizationGuardrails(env);

/** The guardrails with one statement family (a Sid, in every policy that has it) taken out. */
const without = (sid: string): Guardrail[] =>
  guardrails.map((g) => ({
    ...g,
    document: { ...g.document, Statement: g.document.Statement.filter((st) => st.Sid !== sid) },
  }));

describe('the organization guardrails in the simulation', () => {
  it('deny every case they promise and let the pipeline and the runs through', async () => {
    const rows = await guardrailMatrix(surface, guardrails);
    expect(rows.filter((r) => !r.passed)).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(60);
  });

  // Each statement family, taken out once: the rows it alone decides fail (its test fails when it is removed).
  it.each([
    ['DenyInternetGateways', ['creates an internet gateway', 'creates a NAT gateway', 'egress-only internet gateway']],
    ['DenyPeeringAndTransit', ['peers the VPC', 'attaches the VPC to a transit gateway']],
    ['DenyDefaultVpc', ['creates a default VPC']],
    ['DenyIamUsersAndAccessKeys', ['creates an IAM user', 'creates an access key']],
    ['DenyDeletingFlowLogs', ['deletes the flow logs']],
    ['DenyDisassociatingTheDnsFirewall', ['detaches the DNS firewall']],
    [
      'DenyNetworkChangesOutsideThePipeline',
      [
        'an administrator creates a VPC endpoint',
        'an administrator creates a VPC',
        'rule group in front',
        'adds a domain to the DNS firewall allowed list',
        'imports domains into the DNS firewall',
        'BLOCK rule into ALLOW',
        'ALLOW-everything rule ahead',
        'deletes the DNS firewall BLOCK rule',
      ],
    ],
    [
      'DenyOtherPathsAcrossTheEdge',
      ['Client VPN endpoint', 'EC2 Instance Connect endpoint', 'endpoint service', 'VPC Lattice', 'Cloud WAN'],
    ],
    [
      'DenyEndingTheFlowLogRecordOutsideThePipeline',
      ["deletes the flow logs' log group", "shortens the flow logs' retention", "flow logs' key for deletion"],
    ],
    [
      'DenyTestState',
      ['an administrator tests a state with a role', 'an administrator tests a state with the execution'],
    ],
    ['DenyLeavingTheOrganization', ['takes the account out', 'takes the data account out']],
    [
      'DenyWorkflowChangesOutsideThePipeline',
      [
        'an administrator updates the analysis workflow',
        'the OIDC deploy role, even allowed everything, updates it',
        'deletes it (to recreate it',
        'creates it again under the same name',
        'publishes a version',
        'creates an alias',
      ],
    ],
    [
      'DenyRoleChangesOutsideThePipeline',
      [
        "an administrator edits the execution role's trust",
        'puts a policy on the execution role',
        'deletes the execution role',
        'creates the execution role again',
        'passes the execution role',
      ],
    ],
    ['DenyStartingVersionsOrAliases', ['starts an alias (qualified ARN)']],
    ['DenyStartingByQualifier', ['starts a version (qualifier on the unqualified ARN)']],
    [
      'DenyPrincipalsOutsideTheOrganization',
      ['a role of foreign account 999999999999 given s3:*', 'a foreign role, a table policy granting'],
    ],
    [
      'DenyTheSandboxAndOrchestratorAccounts',
      ['a sandbox role given s3:*', 'an orchestrator role given s3:*', 'the key policy granting its account'],
    ],
    ['DenyServicesActingForAnotherAccount', ['writing for foreign account 999999999999']],
  ])('fails when %s is removed', async (sid, cases) => {
    expect(guardrails.some((g) => g.document.Statement.some((st) => st.Sid === sid))).toBe(true);
    const failing = (await guardrailMatrix(surface, without(sid))).filter((r) => !r.passed).map((r) => r.case);
    for (const c of cases) expect(failing).toContainEqual(expect.stringContaining(c));
  });
});

describe('the guardrails in the baseline', () => {
  it('report a removed statement as drift, in words', () => {
    const drift = describeDrift(baselineOf(surface, guardrails), baselineOf(surface, without('DenyTestState')));
    expect(drift).toEqual([
      'guardrail orchestrator/SCP/{prefix}-{env}-orchestrator-scp: - statement: Deny states:TestState on *',
      'guardrail sandbox/SCP/{prefix}-{env}-sandbox-scp: - statement: Deny states:TestState on *',
    ]);
  });
});

describe('the size of each guardrail', () => {
  it('is a finding when a policy is over the Organizations limit', () => {
    const sandbox = guardrails.find((g) => g.name.endsWith('-sandbox-scp'))!;
    const padded: Guardrail = {
      ...sandbox,
      document: {
        ...sandbox.document,
        Statement: Array.from({ length: 4 }, () => sandbox.document.Statement).flat(),
      },
    };
    expect(guardrailFindings([padded])).toEqual([
      expect.objectContaining({
        rule: 'guardrail-size',
        subject: 'SCP airlock-example-sandbox-scp',
        message: expect.stringMatching(/^is \d+ characters, over Organizations' limit of 5120\. Fix: /),
      }),
    ]);
    expect(guardrailFindings(guardrails)).toEqual([]);
  });
});

describe('a guardrail holds when a stack is wrong', () => {
  it('denies the sandbox launcher given s3:* on the data bucket, with a bucket policy granting the sandbox account', async () => {
    const ws = scratch();
    const bucket = `arn:aws:s3:::airlock-example-data-${env.accounts.data}-${env.region}`;
    ws.edit('sandbox', (t: Template) => {
      const [launcher] = Object.entries(t.Resources).find(
        ([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === 'airlock-example-sandbox-launcher',
      )!;
      t.Resources.MistakenDataAccess = {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'mistaken-data-access',
          Roles: [{ Ref: launcher }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: [bucket, `${bucket}/*`] }],
          },
        },
      };
    });
    ws.edit('data', (t: Template) => {
      const policy = Object.values(t.Resources).find(
        (r) => r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties.Bucket).includes('StoreData'),
      )!;
      policy.Properties.PolicyDocument.Statement.push({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${env.accounts.sandbox}:root` },
        Action: 's3:*',
        Resource: `${bucket}/*`,
      });
    });
    const result = await ws.run();
    // The review fails on the wrong stack (the design's own rows see the launcher reach the data) …
    expect(exitCodeOf(result)).toBe(EXIT.FINDINGS);
    expect(result.findings).toContainEqual(
      expect.objectContaining({
        rule: 'simulation',
        subject: 'read a run object',
        message: expect.stringMatching(/was Allowed, expected Denied$/),
      }),
    );
    // … and the guardrail still denies it: without the guardrails the request now passes.
    const row = result.simulation.find(
      (r) => r.hop === 'data-account RCP' && r.case.startsWith('airlock-example-sandbox-launcher (sandbox)'),
    )!;
    expect(row).toEqual(expect.objectContaining({ passed: true, actual: 'Denied (without the guardrails: Allowed)' }));
  });
});
