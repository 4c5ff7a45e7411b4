import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { dataInvokerRoleArn, sandboxLauncherRoleArn, type AirlockEnvironment } from '@airlock/shared/environment';
import type { CliDeps } from './cli-deps.js';
import { requireAccount } from './preflight.js';

/**
 * `airlock verify-trust`: a post-deploy smoke check. From the orchestrator account, but not as the orchestrator
 * execution role, each target role must refuse to be assumed without the ExternalId and with a wrong one.
 * Exit 0 when every attempt is denied, 1 when any succeeds.
 */
export async function verifyTrustCommand(env: AirlockEnvironment, deps: CliDeps): Promise<number> {
  await requireAccount(deps.sts, env.accounts.orchestrator, `orchestrator account of environment "${env.environment}"`);
  const attempts = [
    { role: sandboxLauncherRoleArn(env), externalId: undefined, what: 'no ExternalId' },
    { role: sandboxLauncherRoleArn(env), externalId: 'airlock-verify-trust-wrong-id', what: 'a wrong ExternalId' },
    { role: dataInvokerRoleArn(env), externalId: undefined, what: 'no ExternalId' },
    { role: dataInvokerRoleArn(env), externalId: 'airlock-verify-trust-wrong-id', what: 'a wrong ExternalId' },
  ];
  let failures = 0;
  for (const attempt of attempts) {
    try {
      await deps.sts.send(
        new AssumeRoleCommand({
          RoleArn: attempt.role,
          RoleSessionName: 'airlock-verify-trust',
          ExternalId: attempt.externalId,
          DurationSeconds: 900,
        }),
      );
      failures += 1;
      deps.out(`✗ ${attempt.role} could be assumed with ${attempt.what}: its trust policy is too open`);
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'AccessDenied' && name !== 'AccessDeniedException') throw error;
      deps.out(`✓ ${attempt.role} refuses ${attempt.what}`);
    }
  }
  return failures === 0 ? 0 : 1;
}
