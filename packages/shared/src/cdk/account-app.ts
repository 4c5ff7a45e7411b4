import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../config/config-error.js';
import type { AccountRole, AirlockEnvironment } from '../config/environment-schema.js';
import { ENVIRONMENT_CONTEXT_KEY, loadEnvironment, selectEnvironmentName } from '../config/load-environment.js';
import { applyAccountBoundary } from './account-boundary.js';
import { DeployAccessStack } from './deploy-access-stack.js';

/**
 * CDK feature flags every account app runs with. Set on the App itself because the apps are run directly (synth),
 * not only through the CDK CLI that would read cdk.json.
 */
export const CDK_FEATURE_FLAGS: Readonly<Record<string, boolean>> = {
  // Deliver S3 access logs through a bucket policy for the logging service, not the legacy ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

export interface AccountAppOptions {
  /** The account this app deploys into; its stack is pinned to that account's ID from the environment. */
  readonly account: AccountRole;
  /** Adds the account's stack to the app. */
  readonly build: (app: App, env: AirlockEnvironment) => unknown;
  /**
   * Services the account's stack manages. When the environment names a GitHub repository, the app also
   * synthesizes the account's deploy-access stack, whose CloudFormation execution policy allows these and no others.
   */
  readonly managedServices: readonly string[];
  /** Where the cloud assembly is written when the CDK CLI does not say (`CDK_OUTDIR`). */
  readonly outdir: string;
}

/**
 * Entry point shared by the three account apps: selects and validates the environment, builds the stack and
 * puts the account's permissions boundary on every role of the account's stack, applies cdk-nag's AwsSolutions pack, so an unacknowledged finding fails synth.
 * A bad environment file ends the process with one line per problem instead of a stack trace.
 */
export function synthAccountApp(options: AccountAppOptions): void {
  const app = new App({
    outdir: process.env.CDK_OUTDIR ?? options.outdir,
    context: CDK_FEATURE_FLAGS,
    // CDK's CloudFormation validation runs once per assembly in the `validate-templates` target instead: its engine's
    // start-up alone costs more CPU than the rest of the synth (docs/performance.md).
    builtinCloudFormationValidation: false,
  });
  let env: AirlockEnvironment;
  try {
    env = loadEnvironment(selectEnvironmentName(app.node.tryGetContext(ENVIRONMENT_CONTEXT_KEY)));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Cannot synthesize the ${options.account} account app:\n${error.message}`);
    process.exit(1);
  }
  options.build(app, env);
  // Before the deploy-access stack is added: that stack sets its own boundary, which it creates.
  applyAccountBoundary(app, env, options.account);
  if (env.github)
    new DeployAccessStack(app, {
      airlock: { ...env, github: env.github },
      account: options.account,
      services: options.managedServices,
    });
  addNagChecks(app);
  try {
    app.synth();
  } catch (error) {
    // CDK has already printed the cdk-nag findings above this line; the stack trace would add nothing.
    if (!(error instanceof Error) || !error.message.startsWith('Validation failed')) throw error;
    console.error(`Cannot synthesize the ${options.account} account app: ${error.message}`);
    process.exit(1);
  }
}

/** cdk-nag AwsSolutions through CDK policy validation; acknowledgements are copied into the templates for review. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
}
