import * as iam from 'aws-cdk-lib/aws-iam';
import type { SandboxNetwork } from './sandbox-network.js';

export interface EndpointPolicyTargets {
  /** `arn:…:s3:::<data bucket>`: the runner's presigned GET and POST reach only its `runs/` objects. */
  readonly dataBucketArn: string;
  /** The data account: a bucket of the same name in any other account (name-squatting) is not reachable. */
  readonly dataAccount: string;
  /** `arn:…:s3:::prod-<region>-starport-layer-bucket`, where ECR keeps image layers. */
  readonly ecrLayerBucketArn: string;
  readonly imageRepositoryArn: string;
  readonly logGroupArn: string;
  /** The task execution role: the only principal that uses the ECR and Logs endpoints. */
  readonly executionRoleArn: string;
}

/**
 * Endpoint policies: without them, code in the VPC could still reach any bucket, repository or log group through
 * the endpoints with credentials or presigned URLs of its own.
 */
export function restrictEndpoints(network: SandboxNetwork, targets: EndpointPolicyTargets): void {
  // Presigned requests are signed by the data account's signer and ECR's layer URLs by ECR itself: the gateway
  // endpoint cannot name those principals, so it admits anyone, for exactly these objects.
  const anyone = new iam.AnyPrincipal();
  network.s3Endpoint.addToPolicy(
    new iam.PolicyStatement({
      sid: 'RunObjectsOfTheDataBucket',
      principals: [anyone],
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [`${targets.dataBucketArn}/runs/*`],
      conditions: { StringEquals: { 'aws:ResourceAccount': targets.dataAccount } },
    }),
  );
  network.s3Endpoint.addToPolicy(
    new iam.PolicyStatement({
      sid: 'EcrImageLayers',
      principals: [anyone],
      actions: ['s3:GetObject'],
      resources: [`${targets.ecrLayerBucketArn}/*`],
    }),
  );

  const executionRole = new iam.ArnPrincipal(targets.executionRoleArn);
  for (const endpoint of [network.ecrApiEndpoint, network.ecrDockerEndpoint]) {
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PullRunnerImage',
        principals: [executionRole],
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: [targets.imageRepositoryArn],
      }),
    );
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EcrAuthorizationToken',
        principals: [executionRole],
        actions: ['ecr:GetAuthorizationToken'],
        // GetAuthorizationToken has no resource type: IAM accepts only "*".
        resources: ['*'],
      }),
    );
  }
  network.logsEndpoint.addToPolicy(
    new iam.PolicyStatement({
      sid: 'RunnerLogs',
      principals: [executionRole],
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      // A log group's ARN ends in `:*`, which covers its streams and nothing else.
      resources: [targets.logGroupArn],
    }),
  );
}
