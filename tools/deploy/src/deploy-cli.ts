import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  ACCOUNT_ROLES,
  accountStackName,
  ConfigError,
  deployRoleArn,
  loadEnvironment,
  selectEnvironmentName,
  type AccountRole,
} from '@airlock/shared/environment';
import { assertDeployAccount } from './account-guard.js';
import { DeployRefused } from './deploy-refused.js';
import { setKillSwitch } from './kill-switch.js';
import { verifyDeployment } from './verify-deployment.js';

const USAGE = [
  'usage: airlock-deploy <target|guard|diff|deploy|verify> <orchestrator|sandbox|data>',
  '       airlock-deploy kill-switch <on|off> <sandbox|data>',
  '(environment: AIRLOCK_ENV, default "example")',
].join('\n');
const appDir = (account: AccountRole) => fileURLToPath(new URL(`../../../apps/${account}-account/`, import.meta.url));

/** Runs one command; resolves to the process exit code. */
export async function deployCli(argv: string[], stsClient?: STSClient): Promise<number> {
  if (argv[0] === 'kill-switch') return killSwitchCli(argv.slice(1), stsClient);
  const [command, account] = argv;
  if (!command || !ACCOUNT_ROLES.includes(account as AccountRole)) {
    console.error(USAGE);
    return 2;
  }
  const app = account as AccountRole;
  const env = loadEnvironment(selectEnvironmentName(undefined));
  const sts = stsClient ?? new STSClient({ region: env.region });
  switch (command) {
    case 'target':
      // GitHub Actions output lines: the role this account's pipeline assumes, and where.
      console.log(`role_arn=${deployRoleArn(env, app)}`);
      console.log(`region=${env.region}`);
      return 0;
    case 'guard':
      await assertDeployAccount(sts, env, app);
      console.log(`credentials are for the ${app} account of environment "${env.environment}" (${env.accounts[app]})`);
      return 0;
    case 'diff':
    case 'deploy': {
      await assertDeployAccount(sts, env, app);
      // Only the account's own stack, from the cloud assembly `synth` wrote: the deploy-access stack is an administrator's.
      const args = [
        'cdk',
        command,
        '--app',
        'cdk.out',
        accountStackName(env, app),
        ...(command === 'deploy' ? ['--require-approval', 'never'] : []),
      ];
      return spawnSync('npx', args, { cwd: appDir(app), stdio: 'inherit' }).status ?? 1;
    }
    case 'verify': {
      if (app === 'orchestrator') throw new DeployRefused('the orchestrator is verified with `airlock verify-trust`');
      await assertDeployAccount(sts, env, app);
      // The deploy role may only assume the CDK bootstrap roles; the read-only lookup role can see what was deployed.
      const lookupRole = `arn:${env.partition}:iam::${env.accounts[app]}:role/cdk-hnb659fds-lookup-role-${env.accounts[app]}-${env.region}`;
      const { Credentials: c } = await sts.send(
        new AssumeRoleCommand({ RoleArn: lookupRole, RoleSessionName: 'airlock-verify' }),
      );
      const credentials = {
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: c?.SessionToken,
      };
      const config = { region: env.region, credentials };
      const lines = await verifyDeployment(env, app, {
        iam: new IAMClient(config),
        sfn: new SFNClient(config),
        ssm: new SSMClient(config),
      });
      for (const line of lines) console.log(`✓ ${line}`);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

/** `kill-switch on|off <sandbox|data>`: with that account's own credentials (the on-call role), nothing else. */
async function killSwitchCli(argv: string[], stsClient?: STSClient): Promise<number> {
  const [state, account] = argv;
  if ((state !== 'on' && state !== 'off') || (account !== 'sandbox' && account !== 'data')) {
    console.error(USAGE);
    return 2;
  }
  const env = loadEnvironment(selectEnvironmentName(undefined));
  await assertDeployAccount(stsClient ?? new STSClient({ region: env.region }), env, account);
  const config = { region: env.region };
  console.log(
    await setKillSwitch(env, account, state, {
      iam: new IAMClient(config),
      cloudFormation: new CloudFormationClient(config),
    }),
  );
  return 0;
}

export async function main(): Promise<void> {
  try {
    process.exitCode = await deployCli(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof DeployRefused || error instanceof ConfigError)) throw error;
    console.error(`airlock-deploy: ${error.message}`);
    process.exitCode = 1;
  }
}
