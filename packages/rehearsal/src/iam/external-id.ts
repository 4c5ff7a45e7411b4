import type { PolicyDocument } from '@airlock/cloud-assembly';

/**
 * Why a trust policy that binds `sts:ExternalId` refuses `externalId`, if that is why. The rehearsal's addition:
 * AWS never tells the caller which ExternalId a role expects.
 */
export function externalIdMismatch(trust: PolicyDocument | undefined, externalId: string): string | undefined {
  const expected = (trust?.Statement ?? [])
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => [s.Condition?.StringEquals?.['sts:ExternalId'] ?? []].flat());
  if (expected.length === 0 || expected.includes(externalId)) return undefined;
  return `ExternalId ${externalId} does not match ${expected.join(' or ')}`;
}

/**
 * The cause of a refused hop of the orchestrator (its execution role assuming `role` with its state machine's ARN as
 * ExternalId, as every hop does), when the target's trust names another ExternalId.
 */
export function hopDenial(
  orchestrator: { readonly arn: string; readonly roleArn: string },
  role: string,
  trust: PolicyDocument | undefined,
): string | undefined {
  const mismatch = externalIdMismatch(trust, orchestrator.arn);
  return mismatch && `AssumeRole of ${role} by ${orchestrator.roleArn} denied: ${mismatch}`;
}
