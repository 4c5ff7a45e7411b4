import { AccountStack, crossAccountTrust, LogsEncryptionKey, type AccountStackProps } from '@airlock/shared';
import {
  dataBucketName,
  dataInvokerRoleName,
  dataPlaneStateMachineArn,
  dataPlaneStateMachineName,
  urlSignerRoleName,
  runsTableName,
  resultReportKey,
  type DataPlaneAction,
} from '@airlock/contracts';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { DataFunction, type FunctionCodeFactory } from './data-function.js';
import { DataPlaneWorkflow } from './data-plane-workflow.js';
import { DataStore } from './data-store.js';

export interface DataAccountStackProps extends AccountStackProps {
  /** @default - each handler bundled with esbuild */
  readonly functionCode?: FunctionCodeFactory;
}

/** The data account: all customer data, reachable from the orchestrator only through the invoker role. */
export class DataAccountStack extends AccountStack {
  readonly store: DataStore;
  readonly workflow: DataPlaneWorkflow;
  readonly invokerRole: iam.Role;
  readonly signerRole: iam.Role;
  readonly functions: Record<DataPlaneAction, DataFunction>;

  constructor(scope: Construct, props: DataAccountStackProps) {
    super(scope, 'data', props);
    const env = this.airlock;

    const key = new LogsEncryptionKey(this, 'Key', { purpose: "Encrypts the data account's objects, records and logs" })
      .key;
    this.store = new DataStore(this, 'Store', { bucketName: dataBucketName(env), tableName: runsTableName(env), key });
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

    const make = (name: DataPlaneAction, description: string, environment: Record<string, string>) =>
      new DataFunction(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}`, {
        name,
        description,
        environment,
        logsKey: key,
        code: props.functionCode,
      });

    this.functions = {
      prepare: make('prepare', "Checks a submission, copies it to the run, mints the run's URLs", {
        ...base,
        BUCKET_ARN: bucketArn,
        BUCKET_KEY_ARN: key.keyArn,
        RUN_TIMEOUT_SECONDS: String(env.run.timeoutSeconds),
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
    this.signerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects('runs/*/input.tar.gz')] }),
    );
    this.signerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects('runs/*/output.json')] }),
    );
    this.signerRole.addToPolicy(useKey);

    prepare.role.addToPolicy(listUnder('uploads/'));
    prepare.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects('uploads/*')] }));
    prepare.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects('runs/*/input.tar.gz')] }),
    );
    prepare.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [tableArn],
      }),
    );
    prepare.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [this.signerRole.roleArn] }),
    );
    prepare.role.addToPolicy(useKey);

    finalize.role.addToPolicy(listUnder('runs/'));
    finalize.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects('runs/*/output.json')] }),
    );
    finalize.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects(resultReportKey('*'))] }),
    );
    finalize.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [tableArn] }),
    );
    finalize.role.addToPolicy(useKey);

    purge.role.addToPolicy(listUnder('runs/'));
    purge.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [objects('runs/*')] }));

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
