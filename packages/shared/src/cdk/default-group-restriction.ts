import { CfnResource, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * CDK's provider for a VPC's `restrictDefaultSecurityGroup` is a stack singleton whose role trusts Lambda with no
 * condition and attaches the AWS managed AWSLambdaBasicExecutionRole. Bind the trust to this account's Lambda, as
 * every service-principal trust here is (confused-deputy protection), and drop the managed policy: the account's
 * boundary and execution policies deny attaching any, so the deploy would fail. The provider then writes no logs of
 * its own; a failure still shows as the custom resource's reason in the stack's events.
 */
export function confineDefaultGroupRestriction(scope: Construct, account: string): void {
  const provider = Stack.of(scope).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  const role = provider?.node.tryFindChild('Role');
  if (!(role instanceof CfnResource))
    throw new Error(
      "restrictDefaultSecurityGroup: CDK's provider role was not found where expected (Custom::VpcRestrictDefaultSGCustomResourceProvider/Role). Fix: update confineDefaultGroupRestriction for this aws-cdk-lib version",
    );
  role.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
    StringEquals: { 'aws:SourceAccount': account },
  });
  role.addPropertyDeletionOverride('ManagedPolicyArns');
}
