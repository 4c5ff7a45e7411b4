import { AccountStack, crossAccountTrust, LogsEncryptionKey, type AccountStackProps } from '@airlock/shared';
import { DataCanaryRole } from './data-canary-role.js';
import {
  dataBucketName,
  dataInvokerRoleName,
  dataPlaneStateMachineArn,
  dataPlaneStateMachineName,
  urlSignerRoleName,
  urlSignerRoleArn,
  outsideSandboxNetwork,
  runsTableName,
  resultReportKey,
  resourceName,
  runRecordKey,
  runWindow,
  submissionRecordKey,
  RUN_RECORD_ATTRIBUTES,
  SUBMISSION_CLAIM_ATTRIBUTES,
  type DataPlaneAction,
} from '@airlock/contracts';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { DataFunction, type FunctionCodeFactory } from './data-function.js';
import { restrictDataPlaneEndpoints } from './data-plane-endpoint-policies.js';
import { DataPlaneNetwork } from './data-plane-network.js';
import { DataPlaneWorkflow } from './data-plane-workflow.js';
import { DataStore } from './data-store.js';
import { LateObjectSweeper } from './late-object-sweeper.js';

export interface DataAccountStackProps extends AccountStackProps {
  /** @default - each handler bundled with esbuild */
  readonly functionCode?: FunctionCodeFactory;
}

/** The data account: all customer data, reachable from the orchestrator only through the invoker role. */
export class DataAccountStack extends AccountStack {
  readonly store: DataStore;
  readonly network: DataPlaneNetwork;
  readonly workflow: DataPlaneWorkflow;
  readonly invokerRole: iam.Role;
  readonly signerRole: iam.Role;
  readonly functions: Record<DataPlaneAction, DataFunction>;
  readonly sweeper: LateObjectSweeper;
  /** Only when the environment names a GitHub repository: the canary runs from its workflows. */
  readonly canaryRole?: DataCanaryRole;

  constructor(scope: Construct, props: DataAccountStackProps) {
    super(scope, 'data', props);
    const env = this.airlock;

    const key = new LogsEncryptionKey(this, 'Key', { purpose: "Encrypts the data account's objects, records and logs" })
      .key;
    this.store = new DataStore(this, 'Store', {
      bucketName: dataBucketName(env),
      tableName: runsTableName(env),
      key,
      retention: env.retention,
      runSweepSeconds: runWindow(env.run.timeoutSeconds).sweepSeconds,
    });
    const bucketArn = this.store.bucket.bucketArn;
    const tableArn = this.store.table.tableArn;
    const objects = (pattern: string) => `${bucketArn}/${pattern}`;
    const base = { BUCKET_NAME: this.store.bucket.bucketName, TABLE_NAME: this.store.table.tableName };
    const useKey = new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
    });
    const listUnder = (prefix: string) =>
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucketArn],
        conditions: { StringLike: { 's3:prefix': `${prefix}*` } },
      });
    /**
     * Records, by key and attribute: each step reaches only the items (`dynamodb:LeadingKeys`) and attributes
     * (`dynamodb:Attributes`, with every read projected) it uses, so contact data of a submission is out of reach.
     * ForAllValues passes when its key is missing, which is why only item actions are granted here: GetItem, PutItem
     * and UpdateItem always carry the item's leading key (no Scan, which carries none). `StringEqualsIfExists` on
     * `dynamodb:Select` is AWS's documented shape for projected reads (unverified on AWS that a GetItem without a
     * projection is refused).
     */
    const records = (actions: string[], keys: string[], attributes: readonly string[], reads: boolean) =>
      new iam.PolicyStatement({
        actions,
        resources: [tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys },
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...attributes] },
          ...(reads ? { StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' } } : {}),
        },
      });

    this.network = new DataPlaneNetwork(this, 'Network', {
      availabilityZones: env.data.availabilityZones ?? [`${env.region}a`, `${env.region}b`],
      s3PrefixListId: env.data.s3PrefixListId,
      dynamodbPrefixListId: env.data.dynamodbPrefixListId,
      logsKey: key,
      logRetention: logs.RetentionDays.THREE_MONTHS,
    });
    const make = (name: DataPlaneAction, description: string, environment: Record<string, string>) =>
      new DataFunction(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}`, {
        name,
        description,
        environment,
        logsKey: key,
        vpc: this.network.vpc,
        securityGroup: this.network.functionSecurityGroup,
        code: props.functionCode,
      });

    this.functions = {
      prepare: make('prepare', "Checks a submission, copies it to the run, mints the run's URLs", {
        ...base,
        BUCKET_ARN: bucketArn,
        BUCKET_KEY_ARN: key.keyArn,
        SANDBOX_ACCOUNT: env.accounts.sandbox,
        RUN_TIMEOUT_SECONDS: String(env.run.timeoutSeconds),
        // As long as the run's report: a run ID is not free again while a report under it may exist.
        RUN_RECORD_RETENTION_DAYS: String(env.retention.resultsDays),
      }),
      finalize: make('finalize', "Judges a run's output and writes its report", base),
      purge: make('purge', "Deletes a run's scratch objects", { BUCKET_NAME: this.store.bucket.bucketName }),
    };
    const { prepare, finalize, purge } = this.functions;

    this.signerRole = new iam.Role(this, 'UrlSigner', {
      roleName: urlSignerRoleName(env),
      description: "Signs one run's presigned GET and POST; every session is narrowed to that run's two keys",
      // Same-account role-to-role trust names the exact role: only the prepare step.
      assumedBy: new iam.ArnPrincipal(prepare.role.roleArn),
      maxSessionDuration: Duration.hours(1),
    });
    prepare.function.addEnvironment('SIGNER_ROLE_ARN', this.signerRole.roleArn);
    restrictDataPlaneEndpoints(this.network, {
      dataAccount: env.accounts.data,
      bucketArn,
      tableArn,
      signerRoleArn: this.signerRole.roleArn,
      keyArn: key.keyArn,
    });
    this.signerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects('runs/*/input.tar.gz')] }),
    );
    this.signerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects('runs/*/output.json')] }),
    );
    this.signerRole.addToPolicy(useKey);
    // A presigned URL is a bearer token: whoever holds one could use it from anywhere, after the run too. The
    // signer's requests on run objects count only through the sandbox account's endpoints; the Deny names the
    // signer by aws:PrincipalArn so administrators are not locked out of runs/.
    this.store.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SignerOnlyThroughTheSandboxNetwork',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:*'],
        resources: [objects('runs/*')],
        conditions: {
          ArnEquals: { 'aws:PrincipalArn': urlSignerRoleArn(env) },
          ...outsideSandboxNetwork(env.accounts.sandbox),
        },
      }),
    );

    prepare.role.addToPolicy(listUnder('uploads/'));
    prepare.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects('uploads/*')] }));
    prepare.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects('runs/*/input.tar.gz')] }),
    );
    prepare.role.addToPolicy(
      records(
        ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        [submissionRecordKey('*')],
        SUBMISSION_CLAIM_ATTRIBUTES,
        true,
      ),
    );
    prepare.role.addToPolicy(
      records(
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        [runRecordKey('*')],
        RUN_RECORD_ATTRIBUTES,
        true,
      ),
    );
    prepare.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [this.signerRole.roleArn] }),
    );
    prepare.role.addToPolicy(useKey);

    finalize.role.addToPolicy(listUnder('runs/'));
    finalize.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects('runs/*/output.json')] }),
    );
    // GetObject and DeleteObject of reports: a report found at this run's key is read, and removed if not its own.
    finalize.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
        resources: [objects(resultReportKey('*'))],
      }),
    );
    finalize.role.addToPolicy(
      records(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [runRecordKey('*')], RUN_RECORD_ATTRIBUTES, true),
    );
    finalize.role.addToPolicy(useKey);

    purge.role.addToPolicy(listUnder('runs/'));
    purge.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [objects('runs/*')] }));

    this.sweeper = new LateObjectSweeper(this, 'LateObjectSweeper', {
      bucket: this.store.bucket,
      tableArn,
      tableName: this.store.table.tableName,
      logsKey: key,
      ruleName: resourceName(env, 'late-object-sweep'),
      ruleArn: `arn:${env.partition}:events:${env.region}:${env.accounts.data}:rule/${resourceName(env, 'late-object-sweep')}`,
      stateMachineName: resourceName(env, 'late-object-sweeper'),
      stateMachineArn: `arn:${env.partition}:states:${env.region}:${env.accounts.data}:stateMachine:${resourceName(env, 'late-object-sweeper')}`,
    });

    this.workflow = new DataPlaneWorkflow(this, 'DataPlane', {
      stateMachineName: dataPlaneStateMachineName(env),
      stateMachineArn: dataPlaneStateMachineArn(env),
      account: this.account,
      functions: { prepare: prepare.function, finalize: finalize.function, purge: purge.function },
      logsKey: key,
    });

    this.invokerRole = new iam.Role(this, 'InvokerRole', {
      roleName: dataInvokerRoleName(env),
      description: 'Assumed by the orchestrator workflow to start the data-plane Express workflow synchronously',
      assumedBy: crossAccountTrust(env),
      inlinePolicies: {
        'start-data-plane': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['states:StartSyncExecution'],
              resources: [dataPlaneStateMachineArn(env)],
            }),
          ],
        }),
      },
    });

    if (env.github)
      this.canaryRole = new DataCanaryRole(this, 'Canary', {
        airlock: env,
        repository: env.github.repository,
        bucket: this.store.bucket,
        tableArn,
        key,
      });

    this.acknowledgeScopedWildcards();
  }

  /** Each wildcard is an object-key pattern under one prefix of the one bucket; cdk-nag wants each named. */
  private acknowledgeScopedWildcards(): void {
    const bucket = `<${this.getLogicalId(this.store.bucket.node.defaultChild as s3.CfnBucket)}.Arn>`;
    const ack = (role: iam.Role, pattern: string, reason: string) =>
      Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${bucket}/${pattern}]`,
        reason,
      });
    const perRun =
      'Run IDs are chosen per execution; the pattern admits exactly one object name under each run prefix.';
    ack(this.signerRole, 'runs/*/input.tar.gz', perRun);
    ack(this.signerRole, 'runs/*/output.json', perRun);
    ack(
      this.functions.prepare.role,
      'uploads/*',
      'Submissions are named by ID at upload; reading is limited to the uploads/ prefix.',
    );
    ack(this.functions.prepare.role, 'runs/*/input.tar.gz', perRun);
    ack(this.functions.finalize.role, 'runs/*/output.json', perRun);
    ack(this.functions.finalize.role, resultReportKey('*'), perRun);
    ack(
      this.functions.purge.role,
      'runs/*',
      'Purge deletes whatever a run left under its own prefix; nothing outside runs/.',
    );
  }
}
