import {
  analysisExecutionArn,
  analysisStateMachineArn,
  dataCanaryRoleArn,
  dataPlaneStateMachineArn,
  deployRoleArn,
  launchStateMachineArn,
  orchestratorCanaryRoleArn,
  resultReportKey,
  runPrefix,
  runRecordKey,
  submissionRecordKey,
  uploadObjectKey,
  dataBucketArn,
  dataInvokerRoleArn,
  orchestratorRoleArn,
  runInputKey,
  runnerTaskDefinitionFamily,
  runOutputKey,
  runsTableArn,
  sandboxLauncherRoleArn,
  signerSessionPolicy,
  urlSignerRoleArn,
  urlSignerRoleName,
  VPCE_ACCOUNT_KEY,
} from '@airlock/contracts';
import { urlHistories } from './url-histories.js';
import { rowOf, type DefendedCase } from './with-and-without.js';
import {
  accountOfArn,
  ALLOW_EVERYTHING,
  boundaryOf,
  principalsOf,
  simulateRequest,
  type PolicyDocument,
} from '@airlock/cloud-assembly';
import type { RoleModel, TrustSurface } from '@airlock/cloud-assembly';
import { FOREIGN_ACCOUNT } from './simulated-principals.js';

export type Verdict = 'Allowed' | 'Denied';

export interface SimulationRow {
  readonly hop: string;
  readonly case: string;
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly expected: Verdict;
  readonly actual: string;
  readonly passed: boolean;
}

interface Case extends DefendedCase {
  /** The role behind the caller: the simulator does not derive aws:PrincipalArn, so it is given. */
  readonly principalRoleArn: string;
  /** A session policy narrowing the caller (evaluated as a second simulation: the simulator takes none). */
  readonly sessionPolicy?: PolicyDocument;
  /** Why the case cannot be simulated (what it needs is missing from the templates): its row fails, saying so. */
  readonly missing?: string;
}

const ALLOW_ANY_ASSUME_ROLE: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
};

/**
 * Target roles: the two the design names, plus any other whose trust admits a principal of another account (so a
 * role that gains a foreign principal, or a target whose trust is broken, is simulated all the same).
 */
export const crossAccountTargets = (surface: TrustSurface): RoleModel[] => {
  const named = [sandboxLauncherRoleArn(surface.env), dataInvokerRoleArn(surface.env)];
  return surface.roles.filter(
    (role) =>
      named.includes(role.arn) ||
      role.trust.Statement.some((s) =>
        principalsOf(s).some(
          (p) => p.kind === 'AWS' && p.value !== '*' && (accountOfArn(p.value) ?? p.value) !== role.accountId,
        ),
      ),
  );
};

/**
 * Principals that must never reach data on their own, by name: the sandbox launcher, the runner's execution and
 * task roles (found through the runner task definition, whose family is a known name), and the orchestrator.
 */
function dataOutsiders(surface: TrustSurface): Array<{ arn: string; role?: RoleModel }> {
  const env = surface.env;
  const runner = surface.taskDefinitions.find(
    (t) => t.account === 'sandbox' && t.family === runnerTaskDefinitionFamily(env),
  );
  const arns = [
    sandboxLauncherRoleArn(env),
    ...(runner?.executionRoleArn ? [runner.executionRoleArn] : []),
    ...(runner?.taskRoleArn ? [runner.taskRoleArn] : []),
    orchestratorRoleArn(env),
  ];
  return arns.map((arn) => {
    const role = surface.roles.find((r) => r.arn === arn);
    return role ? { arn, role } : { arn };
  });
}

/** The policy whose statements are about the data bucket (the access-log bucket's policy only names it as a source). */
export function dataBucketPolicy(surface: TrustSurface): PolicyDocument | undefined {
  const bucket = dataBucketArn(surface.env);
  const isDataBucket = (resource: unknown) => resource === bucket || String(resource).startsWith(`${bucket}/`);
  return surface.resourcePolicies.find(
    (p) =>
      p.account === 'data' &&
      p.type === 'AWS::S3::BucketPolicy' &&
      p.policy.Statement.some((statement) => [statement.Resource].flat().some(isDataBucket)),
  )?.policy;
}

/**
 * Every case the design promises, evaluated with the IAM simulator against the synthesized policies: the intended
 * hop is allowed, every variation of it is denied, and neither the sandbox task nor the orchestrator reaches data.
 */
export async function simulationMatrix(surface: TrustSurface): Promise<SimulationRow[]> {
  const env = surface.env;
  const callerArn = orchestratorRoleArn(env);
  const caller = surface.roles.find((r) => r.arn === callerArn);
  const callerIdentity = caller?.permissions.map((p) => p.document) ?? [];
  const externalId = analysisStateMachineArn(env);
  const cases: Case[] = [];

  for (const target of crossAccountTargets(surface)) {
    const hop = `${caller?.name ?? callerArn} → ${target.name}`;
    const assume = {
      hop,
      action: 'sts:AssumeRole',
      resource: target.arn,
      resourceAccount: target.accountId,
      resourcePolicy: target.trust,
    };
    const intended = { principal: callerArn, principalRoleArn: callerArn, identity: callerIdentity };
    cases.push(
      {
        ...assume,
        ...intended,
        case: 'orchestrator execution role, right ExternalId',
        context: { 'sts:ExternalId': externalId },
        expected: 'Allowed',
      },
      {
        ...assume,
        ...intended,
        principal: `arn:${env.partition}:sts::${env.accounts.orchestrator}:assumed-role/${caller?.name ?? 'orchestrator'}/states-session`,
        case: 'a session of the orchestrator execution role, right ExternalId',
        context: { 'sts:ExternalId': externalId },
        expected: 'Allowed',
      },
      { ...assume, ...intended, case: 'orchestrator execution role, no ExternalId', expected: 'Denied' },
      {
        ...assume,
        ...intended,
        case: 'orchestrator execution role, wrong ExternalId',
        context: { 'sts:ExternalId': 'not-the-state-machine' },
        expected: 'Denied',
      },
      {
        ...assume,
        ...intended,
        case: "orchestrator execution role, another state machine's ARN",
        context: { 'sts:ExternalId': externalId.replace(/stateMachine:.*$/, 'stateMachine:another-workflow') },
        expected: 'Denied',
      },
    );
    for (const other of surface.roles.filter((r) => r.account === 'orchestrator' && r.arn !== callerArn)) {
      cases.push({
        ...assume,
        principal: other.arn,
        principalRoleArn: other.arn,
        identity: [ALLOW_ANY_ASSUME_ROLE],
        case: `${other.name} (allowed sts:AssumeRole on "*"), right ExternalId`,
        context: { 'sts:ExternalId': externalId },
        expected: 'Denied',
      });
    }
    const attacker = `arn:${env.partition}:iam::${FOREIGN_ACCOUNT}:role/${caller?.name ?? 'orchestrator'}`;
    cases.push({
      ...assume,
      principal: attacker,
      principalRoleArn: attacker,
      identity: [ALLOW_EVERYTHING],
      case: 'a same-named role in a foreign account, right ExternalId',
      context: { 'sts:ExternalId': externalId },
      expected: 'Denied',
    });
  }

  const dataObject = `${dataBucketArn(env)}/${runInputKey('any-run')}`;
  const bucketPolicy = dataBucketPolicy(surface);
  const rows: SimulationRow[] = [];
  for (const { arn, role } of dataOutsiders(surface)) {
    if (role === undefined) {
      rows.push({
        hop: `${arn} → data`,
        case: 'role named by the design is in the templates',
        principal: arn,
        action: '-',
        resource: '-',
        expected: 'Denied',
        actual: 'not found: the role was renamed or removed, so nothing proves it cannot reach data',
        passed: false,
      });
      continue;
    }
    const base = {
      hop: `${role.name} → data`,
      principal: role.arn,
      principalRoleArn: role.arn,
      identity: role.permissions.map((p) => p.document),
      expected: 'Denied' as const,
    };
    cases.push(
      {
        ...base,
        case: 'read a run object',
        action: 's3:GetObject',
        resource: dataObject,
        resourceAccount: env.accounts.data,
        ...(bucketPolicy ? { resourcePolicy: bucketPolicy } : {}),
      },
      {
        ...base,
        case: 'write a run object',
        action: 's3:PutObject',
        resource: dataObject,
        resourceAccount: env.accounts.data,
        ...(bucketPolicy ? { resourcePolicy: bucketPolicy } : {}),
      },
      {
        ...base,
        case: 'read a run record',
        action: 'dynamodb:GetItem',
        resource: runsTableArn(env),
        resourceAccount: env.accounts.data,
      },
    );
  }

  cases.push(
    ...perimeterCases(surface, bucketPolicy),
    ...historyKeyCases(surface),
    ...canaryCases(surface, bucketPolicy),
  );

  for (const c of cases) {
    // The caller's permissions boundary, when it is one of the stacks' roles: IAM grants only what both allow.
    const role = surface.roles.find((r) => r.arn === c.principalRoleArn);
    const boundary = role && boundaryOf(surface, role);
    const bounded = typeof boundary === 'object' ? { ...c, permissionsBoundary: boundary } : c;
    const actual = c.missing ? `Error: ${c.missing}` : await simulate(bounded);
    rows.push(rowOf(c, actual, actual === c.expected));
  }
  return rows;
}

/**
 * The network perimeter of presigned URLs: a session of the URL signer, narrowed to one run as prepare narrows it,
 * reads the run's input (GET) and writes its output (POST) through a sandbox-account endpoint, and from nowhere
 * else. Only "inside" carries `aws:VpceAccount`, as only a request through an endpoint does. The bucket policy is
 * proved on its own too: without the session policy, the role's requests from outside are still denied.
 */
function perimeterCases(surface: TrustSurface, bucketPolicy: PolicyDocument | undefined): Case[] {
  const env = surface.env;
  const signerArn = urlSignerRoleArn(env);
  const signer = surface.roles.find((r) => r.arn === signerArn);
  const runId = 'run-1';
  const session = signerSessionPolicy({
    bucketArn: dataBucketArn(env),
    keyArn: `arn:${env.partition}:kms:${env.region}:${env.accounts.data}:key/any`,
    runId,
    sandboxAccount: env.accounts.sandbox,
  }) as PolicyDocument;
  const base = {
    hop: `${urlSignerRoleName(env)} session → data bucket`,
    principal: `arn:${env.partition}:sts::${env.accounts.data}:assumed-role/${urlSignerRoleName(env)}/airlock-${runId}`,
    principalRoleArn: signerArn,
    identity: signer?.permissions.map((p) => p.document) ?? [],
    resourceAccount: env.accounts.data,
    ...(bucketPolicy ? { resourcePolicy: bucketPolicy } : {}),
  };
  const inside = { [VPCE_ACCOUNT_KEY]: env.accounts.sandbox };
  const foreignEndpoint = { [VPCE_ACCOUNT_KEY]: FOREIGN_ACCOUNT };
  const requests = [
    {
      name: 'presigned GET of the input',
      action: 's3:GetObject',
      resource: `${dataBucketArn(env)}/${runInputKey(runId)}`,
    },
    {
      name: 'presigned POST of the output',
      action: 's3:PutObject',
      resource: `${dataBucketArn(env)}/${runOutputKey(runId)}`,
    },
  ];
  return requests.flatMap((r) => [
    {
      ...base,
      ...r,
      case: `${r.name}, through a sandbox-account endpoint`,
      sessionPolicy: session,
      context: inside,
      expected: 'Allowed' as const,
    },
    {
      ...base,
      ...r,
      case: `${r.name}, from the internet (no endpoint)`,
      sessionPolicy: session,
      expected: 'Denied' as const,
    },
    {
      ...base,
      ...r,
      case: `${r.name}, through another account's endpoint`,
      sessionPolicy: session,
      context: foreignEndpoint,
      expected: 'Denied' as const,
    },
    {
      ...base,
      ...r,
      case: `${r.name}, from the internet, bucket policy alone (no session policy)`,
      expected: 'Denied' as const,
    },
  ]);
}

/**
 * Who can read the runs' presigned URLs in the two Standard workflows' histories: an administrator of the account
 * (allowed everything by IAM, and the key policy delegates to IAM) is refused by the key's Deny; the workflow's own
 * role is not. A workflow without a customer key fails its rows.
 */
function historyKeyCases(surface: TrustSurface): Case[] {
  const env = surface.env;
  return urlHistories(surface).flatMap(({ name, machine, keyPolicy }) => {
    const account = machine?.accountId ?? '';
    const administrator = `arn:${env.partition}:iam::${account}:role/administrator`;
    const key = {
      hop: `decrypting ${name}'s execution history (it holds the runs' presigned URLs)`,
      action: 'kms:Decrypt',
      resource: `arn:${env.partition}:kms:${env.region}:${account}:key/${machine?.encryptionKey ?? 'none'}`,
      resourceAccount: account,
      ...(keyPolicy ? { resourcePolicy: keyPolicy.policy } : {}),
      ...(keyPolicy ? {} : { missing: `${name} has no customer key with a key policy` }),
    };
    return [
      {
        ...key,
        case: "an administrator of the workflow's account (IAM allows it everything)",
        principal: administrator,
        principalRoleArn: administrator,
        identity: [ALLOW_EVERYTHING],
        expected: 'Denied' as const,
      },
      {
        // The key policy's part only (IAM allowing it): the simulator cannot evaluate the role's own grant, which is
        // bound to the state machine's encryption context (`kms:EncryptionContext:aws:states:…` is ignored).
        ...key,
        case: "the workflow's execution role, IAM allowing it",
        principal: machine?.roleArn ?? 'none',
        principalRoleArn: machine?.roleArn ?? 'none',
        identity: [ALLOW_EVERYTHING],
        expected: 'Allowed' as const,
      },
    ];
  });
}

/**
 * A stolen canary session reaches only canary runs: its data role uploads `canary-*` submissions and reads `canary-*`
 * records, reports and run prefixes, nothing of any other submission or run; its orchestrator role starts the
 * analysis workflow (IAM has no key for the execution's name) and follows `canary-*` executions only. Only when the
 * environment names a GitHub repository (else no canary role is synthesized, and there is nothing to prove).
 */
function canaryCases(surface: TrustSurface, bucketPolicy: PolicyDocument | undefined): Case[] {
  const env = surface.env;
  if (!env.github) return [];
  const object = (key: string) => `${dataBucketArn(env)}/${key}`;
  const asRole = (arn: string, hop: string) => {
    const role = surface.roles.find((r) => r.arn === arn);
    return {
      hop,
      principal: arn,
      principalRoleArn: arn,
      identity: role?.permissions.map((p) => p.document) ?? [],
      ...(role ? {} : { missing: `the canary role ${arn} is not in the templates` }),
    };
  };
  const data = {
    ...asRole(dataCanaryRoleArn(env), 'canary (data role) → data'),
    resourceAccount: env.accounts.data,
  };
  const s3 = { ...data, ...(bucketPolicy ? { resourcePolicy: bucketPolicy } : {}) };
  const table = { ...data, resource: runsTableArn(env) };
  const canary = 'canary-1';
  const customer = 'run-1';
  // The data key as the canary role's policy names it (the key's ID is known only once deployed), and its policy.
  const dataKey = String(
    surface.roles
      .find((r) => r.arn === dataCanaryRoleArn(env))
      ?.permissions.flatMap((p) => p.document.Statement)
      .find((statement) => [statement.Action].flat().includes('kms:Decrypt'))?.Resource ?? 'no-data-key',
  );
  const dataKeyPolicy = surface.resourcePolicies.find(
    (p) => p.account === 'data' && p.type === 'AWS::KMS::Key' && dataKey.endsWith(`:key/${p.logicalId}`),
  );
  const key = {
    ...data,
    resource: dataKey,
    ...(dataKeyPolicy ? { resourcePolicy: dataKeyPolicy.policy } : { missing: `no key policy of ${dataKey}` }),
  };
  const allowed = 'Allowed' as const;
  const denied = 'Denied' as const;
  const record = (key: string, attributes: string[]) => ({
    'dynamodb:LeadingKeys': [key],
    'dynamodb:Attributes': attributes,
    'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
  });
  const orchestrator = {
    ...asRole(orchestratorCanaryRoleArn(env), 'canary (orchestrator role) → orchestrator'),
    resourceAccount: env.accounts.orchestrator,
  };
  return [
    {
      ...s3,
      case: 'upload a canary submission',
      action: 's3:PutObject',
      resource: object(uploadObjectKey(canary)),
      expected: allowed,
    },
    {
      ...s3,
      case: "upload under a customer's submission ID",
      action: 's3:PutObject',
      resource: object(uploadObjectKey('sub-1')),
      expected: denied,
    },
    {
      ...s3,
      case: "read a customer's upload",
      action: 's3:GetObject',
      resource: object(uploadObjectKey('sub-1')),
      expected: denied,
    },
    {
      ...s3,
      case: "read a canary run's report",
      action: 's3:GetObject',
      resource: object(resultReportKey(canary)),
      expected: allowed,
    },
    {
      ...s3,
      case: "read a customer run's report",
      action: 's3:GetObject',
      resource: object(resultReportKey(customer)),
      expected: denied,
    },
    {
      ...s3,
      case: "read a canary run's input",
      action: 's3:GetObject',
      resource: object(runInputKey(canary)),
      expected: denied,
    },
    {
      ...s3,
      case: "write a canary run's output",
      action: 's3:PutObject',
      resource: object(runOutputKey(canary)),
      expected: denied,
    },
    {
      ...s3,
      case: "list a canary run's prefix",
      action: 's3:ListBucket',
      resource: dataBucketArn(env),
      context: { 's3:prefix': runPrefix(canary) },
      expected: allowed,
    },
    {
      ...s3,
      case: "list a customer run's prefix",
      action: 's3:ListBucket',
      resource: dataBucketArn(env),
      context: { 's3:prefix': runPrefix(customer) },
      expected: denied,
    },
    { ...s3, case: 'list the whole bucket', action: 's3:ListBucket', resource: dataBucketArn(env), expected: denied },
    {
      ...table,
      case: 'write a canary submission record',
      action: 'dynamodb:PutItem',
      context: {
        'dynamodb:LeadingKeys': [submissionRecordKey(canary)],
        'dynamodb:Attributes': ['pk', 'status', 'sha256'],
      },
      expected: allowed,
    },
    {
      ...table,
      case: "write a customer's submission record",
      action: 'dynamodb:PutItem',
      context: { 'dynamodb:LeadingKeys': [submissionRecordKey('sub-1')], 'dynamodb:Attributes': ['pk', 'status'] },
      expected: denied,
    },
    {
      ...table,
      case: "read a canary run's status",
      action: 'dynamodb:GetItem',
      context: record(runRecordKey(canary), ['pk', 'status', 'reason']),
      expected: allowed,
    },
    {
      ...table,
      case: "read a canary run's other attributes",
      action: 'dynamodb:GetItem',
      context: record(runRecordKey(canary), ['pk', 'stdoutTail']),
      expected: denied,
    },
    {
      ...table,
      case: "read a customer run's record",
      action: 'dynamodb:GetItem',
      context: record(runRecordKey(customer), ['pk', 'status']),
      expected: denied,
    },
    {
      ...table,
      case: "read a customer's submission record",
      action: 'dynamodb:GetItem',
      context: record(submissionRecordKey('sub-1'), ['pk', 'status']),
      expected: denied,
    },
    {
      ...orchestrator,
      case: 'start the analysis workflow',
      action: 'states:StartExecution',
      resource: analysisStateMachineArn(env),
      expected: allowed,
    },
    {
      ...orchestrator,
      case: 'follow a canary execution',
      action: 'states:GetExecutionHistory',
      resource: analysisExecutionArn(env, canary),
      expected: allowed,
    },
    {
      ...orchestrator,
      case: "describe a customer's execution",
      action: 'states:DescribeExecution',
      resource: analysisExecutionArn(env, customer),
      expected: denied,
    },
    {
      ...orchestrator,
      case: "read a customer's execution history",
      action: 'states:GetExecutionHistory',
      resource: analysisExecutionArn(env, customer),
      expected: denied,
    },
    {
      ...orchestrator,
      case: 'stop a canary execution',
      action: 'states:StopExecution',
      resource: analysisExecutionArn(env, canary),
      expected: denied,
    },
    {
      ...s3,
      case: "overwrite a customer run's report",
      action: 's3:PutObject',
      resource: object(resultReportKey(customer)),
      expected: denied,
    },
    {
      ...s3,
      case: "write a canary run's report (only finalize writes reports)",
      action: 's3:PutObject',
      resource: object(resultReportKey(canary)),
      expected: denied,
    },
    {
      ...s3,
      case: "delete a customer's upload",
      action: 's3:DeleteObject',
      resource: object(uploadObjectKey('sub-1')),
      expected: denied,
    },
    {
      ...key,
      case: 'decrypt with the data key as S3 does on its behalf',
      action: 'kms:Decrypt',
      context: { 'kms:ViaService': `s3.${env.region}.amazonaws.com` },
      expected: allowed,
    },
    {
      ...key,
      case: 'decrypt with the data key directly, not through S3 or DynamoDB',
      action: 'kms:Decrypt',
      expected: denied,
    },
    {
      ...table,
      case: "read a canary run's whole record (no projection)",
      action: 'dynamodb:GetItem',
      context: { 'dynamodb:LeadingKeys': [runRecordKey(canary)], 'dynamodb:Select': 'ALL_ATTRIBUTES' },
      expected: denied,
    },
    {
      ...table,
      case: 'write a run record (a forged canary run outcome)',
      action: 'dynamodb:PutItem',
      context: { 'dynamodb:LeadingKeys': [runRecordKey(canary)], 'dynamodb:Attributes': ['pk', 'status'] },
      expected: denied,
    },
    {
      ...table,
      case: "update a customer's submission record",
      action: 'dynamodb:UpdateItem',
      context: { 'dynamodb:LeadingKeys': [submissionRecordKey('sub-1')], 'dynamodb:Attributes': ['pk', 'status'] },
      expected: denied,
    },
    {
      ...table,
      case: "query a customer's records",
      action: 'dynamodb:Query',
      context: { 'dynamodb:LeadingKeys': [runRecordKey(customer)], 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
      expected: denied,
    },
    { ...table, case: 'scan the runs table', action: 'dynamodb:Scan', expected: denied },
    {
      ...orchestrator,
      case: 'list the analysis workflow’s executions (their names are run IDs)',
      action: 'states:ListExecutions',
      resource: analysisStateMachineArn(env),
      expected: denied,
    },
    {
      ...orchestrator,
      case: "stop a customer's execution",
      action: 'states:StopExecution',
      resource: analysisExecutionArn(env, customer),
      expected: denied,
    },
    {
      ...orchestrator,
      case: 'start the data plane workflow',
      action: 'states:StartSyncExecution',
      resource: dataPlaneStateMachineArn(env),
      resourceAccount: env.accounts.data,
      expected: denied,
    },
    ...(['orchestrator', 'data'] as const).map((account) => {
      const canaryRole = surface.roles.find(
        (r) => r.arn === (account === 'data' ? dataCanaryRoleArn(env) : orchestratorCanaryRoleArn(env)),
      );
      const deployer = deployRoleArn(env, account);
      return {
        hop: `${account} deploy role → ${account} canary role`,
        case: `the ${account} account's deploy role (IAM allowing it everything) assumes its canary role`,
        principal: deployer,
        principalRoleArn: deployer,
        identity: [ALLOW_EVERYTHING],
        action: 'sts:AssumeRole',
        resource: canaryRole?.arn ?? '',
        resourceAccount: env.accounts[account],
        ...(canaryRole
          ? { resourcePolicy: canaryRole.trust }
          : { missing: `the ${account} canary role is not in the templates` }),
        expected: denied,
      };
    }),
    {
      ...orchestrator,
      case: 'start the sandbox launch workflow',
      action: 'states:StartExecution',
      resource: launchStateMachineArn(env),
      resourceAccount: env.accounts.sandbox,
      expected: denied,
    },
  ];
}

async function simulate(c: Case & { readonly permissionsBoundary?: PolicyDocument }): Promise<string> {
  const result = await simulateRequest({ ...c, identityPolicies: c.identity });
  if (result.kind === 'error') return `Error: ${result.errors.slice(0, 200)}`;
  if (!result.allowed || !c.sessionPolicy) return result.allowed ? 'Allowed' : 'Denied';
  const narrowed = await simulateRequest({ ...c, identityPolicies: [c.sessionPolicy] });
  if (narrowed.kind === 'error') return `Error: ${narrowed.errors.slice(0, 200)}`;
  return narrowed.allowed ? 'Allowed' : 'Denied';
}
