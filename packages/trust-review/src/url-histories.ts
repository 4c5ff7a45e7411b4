import { analysisStateMachineName, launchStateMachineName } from '@airlock/contracts';
import type { ResourcePolicyModel, StateMachineModel, TrustSurface } from '@airlock/cloud-assembly';

/** The two Standard workflows whose execution history holds a run's URLs, each with its key's policy if it has one. */
export function urlHistories(
  surface: TrustSurface,
): Array<{ name: string; machine?: StateMachineModel; keyPolicy?: ResourcePolicyModel }> {
  return [analysisStateMachineName(surface.env), launchStateMachineName(surface.env)].map((name) => {
    const machine = surface.stateMachines.find((m) => m.name === name);
    const keyPolicy = surface.resourcePolicies.find(
      (p) => p.type === 'AWS::KMS::Key' && p.stack === machine?.stack && p.logicalId === machine.encryptionKey,
    );
    return { name, ...(machine ? { machine } : {}), ...(keyPolicy ? { keyPolicy } : {}) };
  });
}
