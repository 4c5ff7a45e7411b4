import { githubCanaryTrust, type AirlockEnvironment } from '@airlock/shared';
import {
  CANARY_ID_PREFIX,
  dataCanaryRoleName,
  resultReportKey,
  runPrefix,
  runRecordKey,
  submissionRecordKey,
  uploadObjectKey,
  SUBMISSION_RECORD_ATTRIBUTES,
} from '@airlock/contracts';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface DataCanaryRoleProps {
  readonly airlock: AirlockEnvironment;
  /** `owner/name` of the GitHub repository whose `<env>-canary` environment alone may assume the role. */
  readonly repository: string;
  readonly bucket: s3.IBucket;
  readonly tableArn: string;
  readonly key: kms.IKey;
}

/** The run-record attributes the canary reads: whether its run ended, and why. */
const CANARY_RECORD_READS = ['pk', 'status', 'reason'] as const;

/**
 * The canary's role in the data account: upload one `canary-*` submission (record, then archive), read a `canary-*`
 * run's record (status and reason only) and report, and list a `canary-*` run's scratch prefix. Nothing of any other
 * submission or run is named, so a stolen canary session reaches no customer data.
 */
export class DataCanaryRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DataCanaryRoleProps) {
    super(scope, id);
    const { airlock: env, bucket, tableArn, key } = props;
    const canary = `${CANARY_ID_PREFIX}*`;
    const objects = (key: string) => `${bucket.bucketArn}/${key}`;
    const region = Stack.of(this).region;
    this.role = new iam.Role(this, 'Role', {
      roleName: dataCanaryRoleName(env),
      description: 'Assumed only by the canary workflow job: uploads one canary submission, reads its run',
      assumedBy: githubCanaryTrust(env, 'data', props.repository),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        'one-canary-run': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'UploadCanarySubmissions',
              actions: ['s3:PutObject'],
              resources: [objects(uploadObjectKey(canary))],
            }),
            new iam.PolicyStatement({
              sid: 'ReadCanaryReports',
              actions: ['s3:GetObject'],
              resources: [objects(resultReportKey(canary))],
            }),
            new iam.PolicyStatement({
              sid: 'ListCanaryRunPrefixes',
              actions: ['s3:ListBucket'],
              resources: [bucket.bucketArn],
              conditions: { StringLike: { 's3:prefix': `${runPrefix(canary)}` } },
            }),
            new iam.PolicyStatement({
              sid: 'WriteCanarySubmissionRecords',
              actions: ['dynamodb:PutItem'],
              resources: [tableArn],
              conditions: {
                'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [submissionRecordKey(canary)] },
                'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...SUBMISSION_RECORD_ATTRIBUTES] },
              },
            }),
            new iam.PolicyStatement({
              sid: 'ReadCanaryRunRecords',
              actions: ['dynamodb:GetItem'],
              resources: [tableArn],
              conditions: {
                'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [runRecordKey(canary)] },
                'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...CANARY_RECORD_READS] },
                // AWS's documented attribute-limiting pattern: GetItem sends dynamodb:Select only with a projection,
                // so IfExists admits a projected read and refuses one that asks for ALL_ATTRIBUTES (the trust
                // review's case "read a canary run's whole record (no projection)" is denied; unverified on AWS).
                StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
              },
            }),
            // Only as S3 and DynamoDB use the key on the canary's behalf for the requests above.
            new iam.PolicyStatement({
              sid: 'DataKeyThroughS3AndDynamoDbOnly',
              actions: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'],
              resources: [key.keyArn],
              conditions: {
                StringEquals: {
                  'kms:ViaService': [`s3.${region}.amazonaws.com`, `dynamodb.${region}.amazonaws.com`],
                },
              },
            }),
          ],
        }),
      },
    });
    const bucketRef = `<${Stack.of(this).getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>`;
    for (const pattern of [uploadObjectKey(canary), resultReportKey(canary)])
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${bucketRef}/${pattern}]`,
        reason: 'Canary IDs are chosen per canary run; the pattern admits only canary- IDs under one prefix.',
      });
  }
}
