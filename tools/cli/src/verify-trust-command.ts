import { verifyTargetTrust } from '@airlock/post-deploy';
import { requireAccount } from '@airlock/operator';
import type { AirlockEnvironment } from '@airlock/shared/environment';
import type { CliDeps } from './cli-deps.js';

/**
 * `airlock verify-trust`: a post-deploy smoke check, the same one `airlock-deploy verify orchestrator` runs. Exit 0
 * when every target role refuses a missing and a wrong ExternalId, 1 when any can be assumed.
 */
export async function verifyTrustCommand(env: AirlockEnvironment, deps: CliDeps): Promise<number> {
  await requireAccount(deps.sts, env.accounts.orchestrator, `orchestrator account of environment "${env.environment}"`);
  const results = await verifyTargetTrust(env, deps.sts);
  for (const result of results) deps.out(result.line);
  return results.every((r) => r.refused) ? 0 : 1;
}
