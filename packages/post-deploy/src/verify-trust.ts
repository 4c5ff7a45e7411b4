import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { dataInvokerRoleArn, sandboxLauncherRoleArn, type Env } from '@airlock/contracts';

export interface TrustProbe {
  readonly role: string;
  readonly externalId: string | undefined;
  /** The ExternalId in words, for the report line. */
  readonly what: string;
}

export interface TrustProbeResult extends TrustProbe {
  /** True when STS refused the AssumeRole, as it must. */
  readonly refused: boolean;
  /** One line for the operator: ✓ refused, ✗ assumed. */
  readonly line: string;
}

const WRONG_EXTERNAL_ID = 'airlock-verify-trust-wrong-id';

/**
 * After a deploy, from the orchestrator account but not as its execution role: each target role must refuse to be
 * assumed without the ExternalId and with a wrong one. Any error other than a denial is thrown, since it proves
 * nothing. Callers check first that `sts` holds credentials of the orchestrator account.
 */
export async function verifyTargetTrust(env: Env, sts: STSClient): Promise<TrustProbeResult[]> {
  const probes: TrustProbe[] = [sandboxLauncherRoleArn(env), dataInvokerRoleArn(env)].flatMap((role) => [
    { role, externalId: undefined, what: 'no ExternalId' },
    { role, externalId: WRONG_EXTERNAL_ID, what: 'a wrong ExternalId' },
  ]);
  const results: TrustProbeResult[] = [];
  for (const probe of probes) {
    try {
      await sts.send(
        new AssumeRoleCommand({
          RoleArn: probe.role,
          RoleSessionName: 'airlock-verify-trust',
          ExternalId: probe.externalId,
          DurationSeconds: 900,
        }),
      );
      results.push({
        ...probe,
        refused: false,
        line: `✗ ${probe.role} could be assumed with ${probe.what}: its trust policy is too open`,
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'AccessDenied' && name !== 'AccessDeniedException') throw error;
      results.push({ ...probe, refused: true, line: `✓ ${probe.role} refuses ${probe.what}` });
    }
  }
  return results;
}
