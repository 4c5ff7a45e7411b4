import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface DataStoreProps {
  readonly bucketName: string;
  readonly tableName: string;
  /** Customer-managed key for objects, records and logs. */
  readonly key: kms.IKey;
  /** Days uploads and reports are kept (the environment's `retention`). */
  readonly retention: { readonly uploadsDays: number; readonly resultsDays: number };
  /** Seconds during which an object of a run may be created or used (`runWindow(...).sweepSeconds`). */
  readonly runSweepSeconds: number;
}

/** Attribute of the runs table that DynamoDB's TTL expires records by (epoch seconds). */
export const RECORD_TTL_ATTRIBUTE = 'expiresAt';

/**
 * Where all customer data lives: one bucket (`uploads/`, `runs/<runId>/`, `results/<runId>/`) and one table of
 * submission and run records, both encrypted with the data account's key, neither shared with another account.
 */
export class DataStore extends Construct {
  readonly bucket: s3.Bucket;
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: DataStoreProps) {
    super(scope, id);

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // Log delivery writes with S3-managed keys only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: "This bucket receives the data bucket's access logs; logging its own access would recurse.",
    });

    this.bucket = new s3.Bucket(this, 'Data', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Unversioned on purpose: a purged run must leave nothing behind, and reports are write-once by condition.
      versioned: false,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'data/',
      lifecycleRules: [
        // The backstop, never the plan: every run is purged by the workflow. Whole days (what S3 accepts), never
        // less than the run's whole window, so it cannot delete the objects of a run that is still going.
        {
          id: 'runs-backstop',
          prefix: 'runs/',
          expiration: Duration.days(Math.max(1, Math.ceil(props.runSweepSeconds / 86_400))),
        },
        { id: 'uploads-retention', prefix: 'uploads/', expiration: Duration.days(props.retention.uploadsDays) },
        { id: 'results-retention', prefix: 'results/', expiration: Duration.days(props.retention.resultsDays) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Object Created events drive the late-object sweeper (late-object-sweeper.ts). Set on the bucket itself:
    // `eventBridgeEnabled` would add a custom-resource Lambda to manage the same setting.
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    this.table = new dynamodb.TableV2(this, 'Runs', {
      tableName: props.tableName,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: RECORD_TTL_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
