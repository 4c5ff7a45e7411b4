import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CloudAssembly, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { accountStackName } from '@airlock/contracts';
import type { AccountRole, AirlockEnvironment } from '@airlock/shared/environment';

/** Where an account app's `synth` target writes its cloud assembly: `<root>/apps/<account>-account/cdk.out`. */
export const cloudAssemblyDir = (workspaceRoot: string, account: AccountRole): string =>
  join(workspaceRoot, 'apps', `${account}-account`, 'cdk.out');

/** One account app's synthesized cloud assembly, read through its manifest. */
export function readCloudAssembly(workspaceRoot: string, account: AccountRole): CloudAssembly {
  const dir = cloudAssemblyDir(workspaceRoot, account);
  if (!existsSync(join(dir, 'manifest.json')))
    throw new Error(
      `${dir} holds no cloud assembly: synthesize the ${account} app first (npx nx run @airlock/${account}-account:synth)`,
    );
  return new CloudAssembly(dir);
}

/** The account's own stack (not the administrator's deploy-access stack) from its cloud assembly. */
export function accountStack(
  env: AirlockEnvironment,
  workspaceRoot: string,
  account: AccountRole,
): CloudFormationStackArtifact {
  return readCloudAssembly(workspaceRoot, account).getStackByName(accountStackName(env, account));
}
