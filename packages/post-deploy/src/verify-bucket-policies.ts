import { GetBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsCall, mismatch, runCheck, verified, type CheckResult } from './check-result.js';
import type { DeployedStack } from './deployed-stack.js';
import { parseDeployedPolicy, policyDifferences } from './policy-documents.js';

/** Each bucket policy of the account's stack (`s3:GetBucketPolicy`) is the synthesized one, statement for statement. */
export async function verifyBucketPolicies(stack: DeployedStack, s3: S3Client): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [, rawProps] of stack.ofType('AWS::S3::BucketPolicy')) {
    const bucket = String(stack.resolve(rawProps.Bucket));
    const subject = `bucket policy of ${bucket}`;
    results.push(
      ...(await runCheck(subject, async () => {
        const { Policy } = await awsCall('s3:GetBucketPolicy', () =>
          s3.send(new GetBucketPolicyCommand({ Bucket: bucket })),
        );
        const differences = policyDifferences(stack.resolve(rawProps.PolicyDocument), parseDeployedPolicy(Policy));
        return [differences.length > 0 ? mismatch(subject, differences.join('; ')) : verified(subject)];
      })),
    );
  }
  return results;
}
