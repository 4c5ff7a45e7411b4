import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  mismatch,
  verificationReport,
  verifyAgainstAssembly,
  verifyDeployment,
  verifyTargetTrust,
  type CheckResult,
  type ReadClients,
} from '@airlock/post-deploy';
import {
  ConfigError,
  loadEnvironment,
  selectEnvironmentName,
  type AccountRole,
  type AirlockEnvironment,
} from '@airlock/shared/environment';
import {
  accountStackName,
  broadeningDeployRoleArn,
  broadeningExecutionRoleArn,
  deployRoleArn,
  driftRoleArn,
} from '@airlock/contracts';
import { assertDeployAccount } from './account-guard.js';
import { broadeningGate } from './broadening-gate.js';
import { readDeployCommandLine } from './deploy-command-line.js';
import { DeployRefused } from './deploy-refused.js';
import { detectDrift } from './drift.js';
import { setKillSwitch } from './kill-switch.js';
import type { CfnTemplate } from './surface-changes.js';

const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
const appDir = (account: AccountRole) => `${workspaceRoot}apps/${account}-account/`;

/** Credentials of the account's CDK lookup role (read-only): the deploy role may assume it, and nothing else reads. */
async function lookupRoleConfig(sts: STSClient, env: AirlockEnvironment, app: AccountRole) {
  const lookupRole = `arn:${env.partition}:iam::${env.accounts[app]}:role/cdk-hnb659fds-lookup-role-${env.accounts[app]}-${env.region}`;
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: lookupRole, RoleSessionName: 'airlock-read' }),
  );
  const credentials = {
    accessKeyId: c?.AccessKeyId ?? '',
    secretAccessKey: c?.SecretAccessKey ?? '',
    sessionToken: c?.SessionToken,
  };
  return { region: env.region, credentials };
}

/** Appends to a GitHub Actions file (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`) when the job provides it. */
function appendToGithubFile(variable: 'GITHUB_OUTPUT' | 'GITHUB_STEP_SUMMARY', text: string): void {
  const file = process.env[variable];
  if (file) appendFileSync(file, text);
}

/** Read-only clients with the given credentials config (the lookup role's). */
const readClients = (config: Awaited<ReturnType<typeof lookupRoleConfig>>): ReadClients => ({
  cloudFormation: new CloudFormationClient(config),
  ec2: new EC2Client(config),
  ecs: new ECSClient(config),
  iam: new IAMClient(config),
  s3: new S3Client(config),
  sfn: new SFNClient(config),
});

/**
 * Runs one command; resolves to the process exit code. `readClientsFor` stands in for the lookup role's clients
 * (tests pass mocked ones).
 */
export async function deployCli(
  argv: string[],
  stsClient?: STSClient,
  readClientsFor: (sts: STSClient, env: AirlockEnvironment, app: AccountRole) => Promise<ReadClients> = async (
    sts,
    env,
    app,
  ) => readClients(await lookupRoleConfig(sts, env, app)),
): Promise<number> {
  const parsed = readDeployCommandLine(argv);
  if ('exitCode' in parsed) return parsed.exitCode;
  const [command, account] = parsed.words;
  if (command === 'kill-switch') return killSwitchCli(parsed.words.slice(1), stsClient);
  const app = account as AccountRole;
  const env = loadEnvironment(selectEnvironmentName(undefined));
  const sts = stsClient ?? new STSClient({ region: env.region });
  const stackName = accountStackName(env, app);
  switch (command) {
    case 'target':
      // GitHub Actions output lines: the roles this account's pipeline assumes, and where.
      console.log(`role_arn=${deployRoleArn(env, app)}`);
      console.log(`broadening_role_arn=${broadeningDeployRoleArn(env, app)}`);
      console.log(`drift_role_arn=${driftRoleArn(env, app)}`);
      console.log(`region=${env.region}`);
      return 0;
    case 'guard':
      await assertDeployAccount(sts, env, app);
      console.log(`credentials are for the ${app} account of environment "${env.environment}" (${env.accounts[app]})`);
      return 0;
    case 'gate': {
      await assertDeployAccount(sts, env, app);
      const proposed = JSON.parse(
        readFileSync(`${appDir(app)}cdk.out/${stackName}.template.json`, 'utf8'),
      ) as CfnTemplate;
      const cloudFormation = new CloudFormationClient(await lookupRoleConfig(sts, env, app));
      const { broadening, summary } = await broadeningGate(cloudFormation, stackName, proposed);
      console.log(summary);
      appendToGithubFile('GITHUB_STEP_SUMMARY', summary);
      appendToGithubFile('GITHUB_OUTPUT', `broadening=${broadening}\n`);
      return 0;
    }
    case 'diff':
    case 'deploy':
    case 'deploy-broadening': {
      await assertDeployAccount(sts, env, app);
      // Only the account's own stack, from the cloud assembly the build job wrote: deploy-access is an administrator's.
      const args = ['cdk', command === 'diff' ? 'diff' : 'deploy', '--app', 'cdk.out', stackName];
      if (command !== 'diff') args.push('--require-approval', 'never');
      // The broadening deploy role cannot assume the bootstrap deploy role; the CDK CLI then proceeds with these
      // credentials (they are for the right account) and CloudFormation runs as the broadening execution role.
      if (command === 'deploy-broadening') args.push('--role-arn', broadeningExecutionRoleArn(env, app));
      return spawnSync('npx', args, { cwd: appDir(app), stdio: 'inherit' }).status ?? 1;
    }
    case 'verify': {
      await assertDeployAccount(sts, env, app);
      let failed = false;
      if (app === 'orchestrator') {
        // The same check as `airlock verify-trust`: each target role refuses a missing or wrong ExternalId.
        const results = await verifyTargetTrust(env, sts);
        for (const result of results) console.log(result.line);
        failed = !results.every((r) => r.refused);
      }
      const clients = await readClientsFor(sts, env, app);
      const names: CheckResult[] = [];
      if (app !== 'orchestrator') {
        // The names the orchestrator relies on; a miss is a MISMATCH line, not a stack trace.
        try {
          for (const line of await verifyDeployment(env, app, clients)) console.log(`✓ ${line}`);
        } catch (error) {
          names.push(
            mismatch('the names the orchestrator relies on', `${(error as Error).name}: ${(error as Error).message}`),
          );
        }
      }
      // Read-only, as the CDK lookup role: the deployed stack against the cloud assembly this job deployed.
      const report = verificationReport(`${stackName} against cdk.out`, [
        ...names,
        ...(await verifyAgainstAssembly(env, app, workspaceRoot, clients)),
      ]);
      for (const line of report.lines) console.log(line);
      appendToGithubFile('GITHUB_STEP_SUMMARY', report.markdown);
      if (report.mismatches.length > 0)
        console.error(
          `airlock-deploy: ${stackName} differs from the deployed cloud assembly:\n${report.mismatches.map((m) => `  ${m}`).join('\n')}`,
        );
      return failed || report.mismatches.length > 0 ? 1 : 0;
    }
    case 'drift': {
      await assertDeployAccount(sts, env, app);
      const drifted = await detectDrift(new CloudFormationClient({ region: env.region }), stackName);
      if (drifted.length === 0) {
        console.log(`✓ ${stackName} is in sync with its template`);
        return 0;
      }
      console.error(`${stackName} has drifted from its template:\n${drifted.map((d) => `  ${d}`).join('\n')}`);
      appendToGithubFile(
        'GITHUB_STEP_SUMMARY',
        `### ${stackName} drifted\n\n${drifted.map((d) => `- ${d}`).join('\n')}\n`,
      );
      return 1;
    }
    default:
      throw new Error(`command "${command}" is listed in COMMANDS but not handled`);
  }
}

/** `kill-switch on|off <sandbox|data>`: with that account's own credentials (the on-call role), nothing else. */
async function killSwitchCli(argv: string[], stsClient?: STSClient): Promise<number> {
  const [state, account] = argv as ['on' | 'off', 'sandbox' | 'data'];
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
