import { fileURLToPath } from 'node:url';
import { loadTrustSurface, type RoleModel, type Statement, type TrustSurface } from '@airlock/cloud-assembly';
import {
  dataBucketArn,
  dataInvokerRoleArn,
  orchestratorRoleArn,
  runsTableArn,
  sandboxLauncherRoleArn,
  urlSignerRoleArn,
} from '@airlock/contracts';
import { loadEnvironment } from '@airlock/shared/environment';
import { describe, expect, it } from 'vitest';
import { simulationMatrix } from '../src/simulation-matrix.js';
import { urlHistories } from '../src/url-histories.js';
import { COMBINATION_CAP, reportedQuestions, whoCan, whoCanLines } from '../src/who-can.js';

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`).
const root = fileURLToPath(new URL('../../../', import.meta.url));
const env = loadEnvironment('example');
const surface = loadTrustSurface(env, root);
const runObjects = `${dataBucketArn(env)}/runs/*`;
const principalsWho = async (s: TrustSurface, action: string, resource: string) =>
  (await whoCan(s, action, resource)).reachers.map((r) => r.principal);
/** The surface with one role's statements filtered. */
const withRole = (s: TrustSurface, name: RegExp, keep: (sid: string | undefined) => boolean): TrustSurface => ({
  ...s,
  roles: s.roles.map((r): RoleModel =>
    name.test(r.name)
      ? {
          ...r,
          permissions: r.permissions.map((p) => ({
            ...p,
            document: { ...p.document, Statement: p.document.Statement.filter((st) => keep(st.Sid)) },
          })),
        }
      : r,
  ),
});

describe('npm run review -- who-can', () => {
  it("lets only the data account's own roles at run objects: the signer only through the sandbox network", async () => {
    const answer = await whoCan(surface, 's3:GetObject', runObjects);
    expect(answer.resourcePolicy).toMatch(/^the bucket policy of airlock-example-data-/);
    expect(answer.unanswered).toEqual([]);
    const signer = answer.reachers.find((r) => r.principal === urlSignerRoleArn(env));
    expect(signer?.when).toEqual(['aws:VpceAccount = 222222222222']);
    expect(signer?.on).toMatch(/\/runs\/example\/input\.tar\.gz$/);
    const accounts = answer.reachers.map((r) => /::(\d{12}):/.exec(r.principal)?.[1]);
    expect(new Set(accounts)).toEqual(new Set(['333333333333']));
    expect(answer.reachers.map((r) => r.principal)).not.toContainEqual(expect.stringMatching(/-drift$/));
  });

  it('lets the signer read run objects from anywhere once the bucket policy loses its network Deny', async () => {
    const open: TrustSurface = {
      ...surface,
      resourcePolicies: surface.resourcePolicies.map((p) => ({
        ...p,
        policy: {
          ...p.policy,
          Statement: p.policy.Statement.filter((st) => st.Sid !== 'SignerOnlyThroughTheSandboxNetwork'),
        },
      })),
    };
    const signer = (await whoCan(open, 's3:GetObject', runObjects)).reachers.find(
      (r) => r.principal === urlSignerRoleArn(env),
    );
    expect(signer?.when).toEqual([]);
  });

  it('keeps every drift role (ReadOnlyAccess) out of the run records, and names it once that Deny is gone', async () => {
    expect(await principalsWho(surface, 'dynamodb:Scan', runsTableArn(env))).toEqual([
      'arn:aws:iam::333333333333:role/an-administrator-of-the-data-account',
    ]);
    const withoutDeny = withRole(surface, /-drift$/, (sid) => sid !== 'NeverReadRunData');
    expect(await principalsWho(withoutDeny, 'dynamodb:Scan', runsTableArn(env))).toContain(
      'arn:aws:iam::333333333333:role/airlock-example-data-drift',
    );
    expect(
      await principalsWho(withoutDeny, 'ecs:DescribeTasks', 'arn:aws:ecs:eu-west-1:222222222222:task/*/*'),
    ).toContain('arn:aws:iam::222222222222:role/airlock-example-sandbox-drift');
  });

  it("applies each role's permissions boundary: a boundary without S3 takes the data functions off the results", async () => {
    const finalize = /FinalizeRole/;
    expect(await principalsWho(surface, 's3:PutObject', `${dataBucketArn(env)}/results/*`)).toContainEqual(
      expect.stringMatching(finalize),
    );
    const boundaryName = surface.roles
      .find((r) => finalize.test(r.name))!
      .permissionsBoundaryArn!.split('/')
      .pop();
    const withoutS3: TrustSurface = {
      ...surface,
      managedPolicies: surface.managedPolicies.map((p) =>
        p.name === boundaryName
          ? {
              ...p,
              document: {
                ...p.document,
                Statement: [...p.document.Statement, { Effect: 'Deny', Action: 's3:*', Resource: '*' }],
              },
            }
          : p,
      ),
    };
    expect(await principalsWho(withoutS3, 's3:PutObject', `${dataBucketArn(env)}/results/*`)).not.toContainEqual(
      expect.stringMatching(finalize),
    );
  });

  it('lets only the orchestrator execution role into each target role, and only with the ExternalId', async () => {
    for (const target of [dataInvokerRoleArn(env), sandboxLauncherRoleArn(env)]) {
      const answer = await whoCan(surface, 'sts:AssumeRole', target);
      expect(answer.reachers.map((r) => [r.principal, r.when])).toEqual([
        [
          orchestratorRoleArn(env),
          ['sts:ExternalId = arn:aws:states:eu-west-1:111111111111:stateMachine:airlock-example-analysis'],
        ],
      ]);
    }
  });

  it('agrees with the simulation matrix: every role a row allows is among the answer to its question', async () => {
    const allowed = (await simulationMatrix(surface)).filter(
      (row) => row.expected === 'Allowed' && row.passed && /^arn:aws:iam::\d{12}:role\//.test(row.principal),
    );
    expect(allowed.length).toBeGreaterThanOrEqual(3);
    for (const row of allowed)
      expect(await principalsWho(surface, row.action, row.resource), `${row.hop}: ${row.case}`).toContain(
        row.principal,
      );
  });

  it("keeps every account's administrator out of the workflows' history keys", async () => {
    const historyKeys = urlHistories(surface).map(
      ({ keyPolicy }) => `arn:aws:kms:eu-west-1:${keyPolicy?.accountId}:key/${keyPolicy?.logicalId}`,
    );
    expect(reportedQuestions(surface)).toEqual(
      expect.arrayContaining(historyKeys.map((resource) => ({ action: 'kms:Decrypt', resource }))),
    );
    expect(historyKeys).toHaveLength(2);
    for (const resource of historyKeys) {
      const answer = await whoCan(surface, 'kms:Decrypt', resource);
      expect(answer.reachers.length, resource).toBeGreaterThan(0);
      expect(answer.reachers.map((r) => r.principal)).not.toContainEqual(expect.stringMatching(/an-administrator/));
    }
  });

  it('answers every question of the report, and says so when the simulator cannot evaluate an ARN', async () => {
    const questions = reportedQuestions(surface);
    expect(questions.map((q) => q.action)).toEqual(
      expect.arrayContaining(['s3:GetObject', 'dynamodb:PutItem', 'sts:AssumeRole', 'kms:Decrypt']),
    );
    const wrongShape = await whoCan(surface, 'ecs:DescribeTasks', 'arn:aws:ecs:eu-west-1:222222222222:task/*');
    expect(wrongShape.unanswered.length).toBeGreaterThan(0);
  });
});

/** The surface with one more statement in the data bucket's policy, as a wrong stack would write it. */
const withBucketStatement = (s: TrustSurface, statement: Statement): TrustSurface => ({
  ...s,
  resourcePolicies: s.resourcePolicies.map((p) =>
    p.type === 'AWS::S3::BucketPolicy' && JSON.stringify(p.policy).includes(dataBucketArn(env))
      ? { ...p, policy: { ...p.policy, Statement: [...p.policy.Statement, statement] } }
      : p,
  ),
});

describe('who-can never answers "no one" when the templates let someone in', () => {
  it('names an account a resource policy grants, whichever account it is', async () => {
    const granted = withBucketStatement(surface, {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 's3:GetObject',
      Resource: `${dataBucketArn(env)}/runs/*`,
    });
    expect(await principalsWho(granted, 's3:GetObject', runObjects)).toContainEqual(
      expect.stringMatching(/^arn:aws:iam::123456789012:/),
    );
  });

  it('names a role a resource policy grants by its ARN, in another account', async () => {
    const granted = withBucketStatement(surface, {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:role/partner' },
      Action: 's3:*',
      Resource: `${dataBucketArn(env)}/results/*`,
    });
    expect(await principalsWho(granted, 's3:GetObject', `${dataBucketArn(env)}/results/*`)).toContain(
      'arn:aws:iam::123456789012:role/partner',
    );
  });

  it('counts an Allow written with NotAction', async () => {
    const widened: TrustSurface = {
      ...surface,
      roles: surface.roles.map((r) =>
        r.arn === urlSignerRoleArn(env)
          ? {
              ...r,
              permissions: [
                ...r.permissions,
                {
                  name: 'everything-but-iam',
                  document: {
                    Version: '2012-10-17',
                    Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }],
                  },
                },
              ],
            }
          : r,
      ),
    };
    expect(await principalsWho(widened, 'dynamodb:DeleteItem', runsTableArn(env))).toContain(urlSignerRoleArn(env));
  });

  it('escapes a Deny that only requires a key to be present (Null), as a request through an endpoint does', async () => {
    const requiresVpc = withBucketStatement(surface, {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: `${dataBucketArn(env)}/results/*`,
      Condition: { Null: { 'aws:SourceVpc': 'true' } },
    });
    expect(await principalsWho(requiresVpc, 's3:PutObject', `${dataBucketArn(env)}/results/*`)).toContainEqual(
      expect.stringMatching(/FinalizeRole/),
    );
  });

  it('escapes a Deny whose IfExists operator matches a missing key', async () => {
    const requiresMfa = withBucketStatement(surface, {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: `${dataBucketArn(env)}/results/*`,
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    });
    expect(await principalsWho(requiresMfa, 's3:PutObject', `${dataBucketArn(env)}/results/*`)).toContainEqual(
      expect.stringMatching(/FinalizeRole/),
    );
  });

  it('tries each value a condition lists: an Allow on two endpoints reaches through the one a Deny leaves open', async () => {
    const twoEndpoints: TrustSurface = {
      ...surface,
      roles: surface.roles.map((r) =>
        r.arn === urlSignerRoleArn(env)
          ? {
              ...r,
              permissions: [
                ...r.permissions,
                {
                  name: 'delete-through-endpoints',
                  document: {
                    Version: '2012-10-17',
                    Statement: [
                      {
                        Effect: 'Allow',
                        Action: 'dynamodb:DeleteItem',
                        Resource: runsTableArn(env),
                        Condition: { StringEquals: { 'aws:SourceVpce': ['vpce-blocked', 'vpce-open'] } },
                      },
                      {
                        Effect: 'Deny',
                        Action: 'dynamodb:DeleteItem',
                        Resource: '*',
                        Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-blocked' } },
                      },
                    ],
                  },
                },
              ],
            }
          : r,
      ),
    };
    const answer = await whoCan(twoEndpoints, 'dynamodb:DeleteItem', runsTableArn(env));
    expect(answer.reachers.find((r) => r.principal === urlSignerRoleArn(env))?.when).toEqual([
      'aws:SourceVpce = vpce-open',
    ]);
  });

  /** The URL signer with one more policy: DeleteItem on the table under `allow`'s conditions, refused by `deny`'s. */
  const signerWith = (allow: Statement['Condition'], denies: ReadonlyArray<Statement['Condition']>): TrustSurface => ({
    ...surface,
    roles: surface.roles.map((r) =>
      r.arn === urlSignerRoleArn(env)
        ? {
            ...r,
            permissions: [
              ...r.permissions,
              {
                name: 'delete-under-conditions',
                document: {
                  Version: '2012-10-17',
                  Statement: [
                    { Effect: 'Allow', Action: 'dynamodb:DeleteItem', Resource: runsTableArn(env), Condition: allow },
                    ...denies.map((Condition): Statement => ({
                      Effect: 'Deny',
                      Action: 'dynamodb:DeleteItem',
                      Resource: '*',
                      Condition,
                    })),
                  ],
                },
              },
            ],
          }
        : r,
    ),
  });

  it('tries the values of two keys together: a principal that needs the second value of each at once', async () => {
    const answer = await whoCan(
      signerWith(
        { StringEquals: { 'aws:SourceVpce': ['vpce-blocked', 'vpce-open'], 'aws:RequestTag/team': ['red', 'blue'] } },
        [{ StringEquals: { 'aws:SourceVpce': 'vpce-blocked' } }, { StringEquals: { 'aws:RequestTag/team': 'red' } }],
      ),
      'dynamodb:DeleteItem',
      runsTableArn(env),
    );
    expect(answer.reachers.find((r) => r.principal === urlSignerRoleArn(env))?.when).toEqual([
      'aws:SourceVpce = vpce-open',
      'aws:RequestTag/team = blue',
    ]);
    expect(answer.searchCut).toEqual([]);
  });

  it(`says so when the cap of ${COMBINATION_CAP} combinations cut the search before the one that lets a principal in`, async () => {
    const values = (key: string) => ['a', 'b', 'c', 'd', 'e'].map((v) => `${key}-${v}`);
    const keys = ['aws:RequestTag/one', 'aws:RequestTag/two', 'aws:RequestTag/three'];
    // Only the last value of every key escapes the Denies: combination 125 of 125.
    const answer = await whoCan(
      signerWith(
        { StringEquals: Object.fromEntries(keys.map((k) => [k, values(k)])) },
        keys.map((k) => ({ StringEquals: { [k]: values(k).slice(0, 4) } })),
      ),
      'dynamodb:DeleteItem',
      runsTableArn(env),
    );
    expect(answer.reachers.map((r) => r.principal)).not.toContain(urlSignerRoleArn(env));
    expect(answer.searchCut).toEqual([
      `${urlSignerRoleArn(env)} on ${runsTableArn(env)}: tried ${COMBINATION_CAP} of 125 combinations of condition values`,
    ]);
    expect(whoCanLines(answer)).toContain(
      `  ? search cut at ${COMBINATION_CAP} combinations, so not proven unable: ${answer.searchCut[0]}`,
    );
  });
});
