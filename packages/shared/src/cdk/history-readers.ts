import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Narrows a workflow key's `kms:Decrypt` to the principals named here. The key encrypts a Standard workflow's
 * execution history, which holds each run's presigned URLs; the default key policy delegates to IAM, so any principal
 * of the account with `kms:Decrypt` on `*` (an administrator, a broad operator policy) could read them. A Deny in the
 * key policy stands whatever IAM grants. AWS services acting as themselves (CloudWatch Logs writing the workflow's
 * logs) are not principals of the account and are left to their own statements; a service acting for a caller (Step
 * Functions decrypting history for `GetExecutionHistory`) carries the caller's ARN, so the caller must be named.
 */
export function allowDecryptOnlyTo(key: kms.Key, readerArns: readonly string[]): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DecryptOnlyByNamedReaders',
      effect: iam.Effect.DENY,
      // A Deny: "anyone" is whom it refuses, less the named readers and AWS services acting as themselves.
      principals: [new iam.AnyPrincipal()],
      // ReEncryptFrom would turn the history's ciphertext into one under a key the caller controls.
      actions: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      // In a key policy "*" is this key and nothing else.
      resources: ['*'],
      conditions: {
        ArnNotEquals: { 'aws:PrincipalArn': [...readerArns] },
        Bool: { 'aws:PrincipalIsAWSService': 'false' },
      },
    }),
  );
}
