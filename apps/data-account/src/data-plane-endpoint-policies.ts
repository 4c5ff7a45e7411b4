import * as iam from 'aws-cdk-lib/aws-iam';
import type { DataPlaneNetwork } from './data-plane-network.js';

export interface DataPlaneEndpointTargets {
  /** The data account: every endpoint admits requests on its resources only (`aws:ResourceAccount`). */
  readonly dataAccount: string;
  readonly bucketArn: string;
  readonly tableArn: string;
  /** The one role the functions assume (prepare, to sign a run's URLs). */
  readonly signerRoleArn: string;
  readonly keyArn: string;
}

/**
 * Endpoint policies: without them, a subverted function could use the endpoints with credentials or presigned URLs
 * of another account and carry data to that account's bucket, table or key. Each statement names the actions the
 * functions use on the exact resources, and binds them to the data account by `aws:ResourceAccount`, so a
 * same-named resource elsewhere (a squatted bucket name) is not reachable either. No statement carries a network
 * condition for KMS: S3 and DynamoDB call KMS on the caller's behalf from their own network, not through this one.
 */
export function restrictDataPlaneEndpoints(network: DataPlaneNetwork, targets: DataPlaneEndpointTargets): void {
  // "Anyone": the callers are the functions' generated roles and the signer's sessions, and a gateway endpoint takes no
  // narrower principal; the actions, the exact resources and the account do the narrowing.
  const anyone = new iam.AnyPrincipal();
  const ofTheDataAccount = { StringEquals: { 'aws:ResourceAccount': targets.dataAccount } };
  const allow = (sid: string, actions: string[], resources: string[]) =>
    new iam.PolicyStatement({ sid, principals: [anyone], actions, resources, conditions: ofTheDataAccount });

  network.s3Endpoint.addToPolicy(
    allow(
      'TheDataBucket',
      ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      [targets.bucketArn, `${targets.bucketArn}/*`],
    ),
  );
  network.dynamodbEndpoint.addToPolicy(
    allow('TheRunsTable', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [targets.tableArn]),
  );
  network.stsEndpoint.addToPolicy(allow('AssumeTheUrlSigner', ['sts:AssumeRole'], [targets.signerRoleArn]));
  network.kmsEndpoint.addToPolicy(allow('TheDataKey', ['kms:Decrypt', 'kms:GenerateDataKey'], [targets.keyArn]));
}
