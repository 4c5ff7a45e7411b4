/**
 * Deterministic names and ARNs of everything another account must reference: `<prefix>-<env>-<component>`.
 * Each is defined once here and used by both sides, so no stack imports anything from another account.
 */
/** What names depend on: structural, so shared's validated environment fits without contracts importing zod. */
export interface Env {
  readonly prefix: string;
  readonly environment: string;
  readonly region: string;
  readonly partition: string;
  readonly accounts: { readonly orchestrator: string; readonly sandbox: string; readonly data: string };
}

export const resourceName = (env: Env, component: string): string => `${env.prefix}-${env.environment}-${component}`;

const iamRoleArn = (env: Env, account: string, roleName: string) =>
  `arn:${env.partition}:iam::${account}:role/${roleName}`;
const stateMachineArn = (env: Env, account: string, name: string) =>
  `arn:${env.partition}:states:${env.region}:${account}:stateMachine:${name}`;

export const accountRootArn = (env: Env, account: string): string => `arn:${env.partition}:iam::${account}:root`;

// Orchestrator account
export const orchestratorRoleName = (env: Env): string => resourceName(env, 'orchestrator');
export const orchestratorRoleArn = (env: Env): string =>
  iamRoleArn(env, env.accounts.orchestrator, orchestratorRoleName(env));
export const analysisStateMachineName = (env: Env): string => resourceName(env, 'analysis');
export const analysisStateMachineArn = (env: Env): string =>
  stateMachineArn(env, env.accounts.orchestrator, analysisStateMachineName(env));

// Sandbox account
export const sandboxLauncherRoleName = (env: Env): string => resourceName(env, 'sandbox-launcher');
export const sandboxLauncherRoleArn = (env: Env): string =>
  iamRoleArn(env, env.accounts.sandbox, sandboxLauncherRoleName(env));
/** The Standard state machine that alone starts the runner task; the orchestrator's only entry into the account. */
export const launchStateMachineName = (env: Env): string => resourceName(env, 'launch');
export const launchStateMachineArn = (env: Env): string =>
  stateMachineArn(env, env.accounts.sandbox, launchStateMachineName(env));
/** Every execution of the launch state machine (`execution:<name>:<execution name>`). */
export const launchExecutionArnPattern = (env: Env): string =>
  `arn:${env.partition}:states:${env.region}:${env.accounts.sandbox}:execution:${launchStateMachineName(env)}:*`;
/** The Express state machine that stops the task of a launch execution that ended ABORTED, TIMED_OUT or FAILED. */
export const launchReaperStateMachineName = (env: Env): string => resourceName(env, 'launch-reaper');
export const sandboxClusterName = (env: Env): string => resourceName(env, 'sandbox');
export const sandboxClusterArn = (env: Env): string =>
  `arn:${env.partition}:ecs:${env.region}:${env.accounts.sandbox}:cluster/${sandboxClusterName(env)}`;
export const runnerTaskDefinitionFamily = (env: Env): string => resourceName(env, 'runner');

// Data account
export const dataInvokerRoleName = (env: Env): string => resourceName(env, 'data-invoker');
export const dataInvokerRoleArn = (env: Env): string => iamRoleArn(env, env.accounts.data, dataInvokerRoleName(env));
export const dataPlaneStateMachineName = (env: Env): string => resourceName(env, 'data-plane');
export const dataPlaneStateMachineArn = (env: Env): string =>
  stateMachineArn(env, env.accounts.data, dataPlaneStateMachineName(env));
/** Signs the presigned URLs; named so that the account's permissions boundary can allow assuming exactly it. */
export const urlSignerRoleName = (env: Env): string => resourceName(env, 'data-url-signer');
export const urlSignerRoleArn = (env: Env): string => iamRoleArn(env, env.accounts.data, urlSignerRoleName(env));
/** Bucket names are global: the account and region keep them unique across environments and customers. */
export const dataBucketName = (env: Env): string => resourceName(env, `data-${env.accounts.data}-${env.region}`);
export const dataBucketArn = (env: Env): string => `arn:${env.partition}:s3:::${dataBucketName(env)}`;
export const runsTableName = (env: Env): string => resourceName(env, 'runs');
export const runsTableArn = (env: Env): string =>
  `arn:${env.partition}:dynamodb:${env.region}:${env.accounts.data}:table/${runsTableName(env)}`;

/** The CloudFormation stack of one account's app. */
export const accountStackName = (env: Env, account: keyof Env['accounts']): string => resourceName(env, account);
/** Every task on the runner cluster: task IDs are assigned at launch. */
export const runnerTaskArnPattern = (env: Env): string =>
  `arn:${env.partition}:ecs:${env.region}:${env.accounts.sandbox}:task/${sandboxClusterName(env)}/*`;

// Deployment (one per account and environment)
/** The stack an administrator deploys once per account: the GitHub OIDC provider and the pipeline's deploy role. */
export const deployAccessStackName = (env: Env, account: keyof Env['accounts']): string =>
  resourceName(env, `${account}-deploy-access`);
export const deployRoleName = (env: Env, account: keyof Env['accounts']): string =>
  resourceName(env, `${account}-deploy`);
export const deployRoleArn = (env: Env, account: keyof Env['accounts']): string =>
  iamRoleArn(env, env.accounts[account], deployRoleName(env, account));
/** CDK's default bootstrap qualifier: the bootstrap roles' names carry it. */
export const CDK_BOOTSTRAP_QUALIFIER = 'hnb659fds';
/**
 * The role CloudFormation acts as on the everyday deploy path: `cdk bootstrap` creates it, with the `-cfn-exec`
 * policy. It (and the broadening execution role) makes the account's changes; the OIDC deploy roles only ask for them.
 */
export const cdkCloudFormationExecutionRoleArn = (env: Env, account: keyof Env['accounts']): string =>
  iamRoleArn(
    env,
    env.accounts[account],
    `cdk-${CDK_BOOTSTRAP_QUALIFIER}-cfn-exec-role-${env.accounts[account]}-${env.region}`,
  );
/** The managed policy `cdk bootstrap --cloudformation-execution-policies` is given instead of AdministratorAccess. */
export const cfnExecutionPolicyName = (env: Env, account: keyof Env['accounts']): string =>
  resourceName(env, `${account}-cfn-exec`);

/** The GitHub environment whose OIDC subject alone may assume one account's everyday deploy role. */
export const githubDeployEnvironment = (env: Env, account: keyof Env['accounts']): string =>
  `${env.environment}-${account}`;
/** The reviewer-gated GitHub environment whose OIDC subject alone may assume one account's broadening deploy role. */
export const githubBroadeningEnvironment = (env: Env, account: keyof Env['accounts']): string =>
  `${githubDeployEnvironment(env, account)}-broadening`;
export const githubOidcSubject = (repository: string, githubEnvironment: string): string =>
  `repo:${repository}:environment:${githubEnvironment}`;
/** Deploys changes that broaden trust, endpoint policies, security groups or routes, through its own execution role. */
export const broadeningDeployRoleName = (env: Env, account: keyof Env['accounts']): string =>
  resourceName(env, `${account}-deploy-broadening`);
export const broadeningDeployRoleArn = (env: Env, account: keyof Env['accounts']): string =>
  iamRoleArn(env, env.accounts[account], broadeningDeployRoleName(env, account));
/** The CloudFormation execution role only the broadening deploy role may pass. */
export const broadeningExecutionRoleName = (env: Env, account: keyof Env['accounts']): string =>
  resourceName(env, `${account}-cfn-broadening`);
export const broadeningExecutionRoleArn = (env: Env, account: keyof Env['accounts']): string =>
  iamRoleArn(env, env.accounts[account], broadeningExecutionRoleName(env, account));
/** The permissions boundary every role of the account's stacks carries. */
export const permissionsBoundaryName = (env: Env, account: keyof Env['accounts']): string =>
  resourceName(env, `${account}-boundary`);
export const permissionsBoundaryArn = (env: Env, account: keyof Env['accounts']): string =>
  `arn:${env.partition}:iam::${env.accounts[account]}:policy/${permissionsBoundaryName(env, account)}`;
export const cfnExecutionPolicyArn = (env: Env, account: keyof Env['accounts']): string =>
  `arn:${env.partition}:iam::${env.accounts[account]}:policy/${cfnExecutionPolicyName(env, account)}`;
export const broadeningExecutionPolicyName = (env: Env, account: keyof Env['accounts']): string =>
  resourceName(env, `${account}-cfn-broadening`);
export const broadeningExecutionPolicyArn = (env: Env, account: keyof Env['accounts']): string =>
  `arn:${env.partition}:iam::${env.accounts[account]}:policy/${broadeningExecutionPolicyName(env, account)}`;
/**
 * The managed deny policy the incident kill switch attaches to a role (and detaches to undo). Managed, not inline:
 * IAM can deny detaching one policy by its ARN (`iam:PolicyARN`), but has no key naming an inline policy.
 */
export const killSwitchPolicyName = (env: Env): string => resourceName(env, 'kill-switch');
export const killSwitchPolicyArn = (env: Env, account: keyof Env['accounts']): string =>
  `arn:${env.partition}:iam::${env.accounts[account]}:policy/${killSwitchPolicyName(env)}`;
/** The GitHub environment (no reviewers) whose OIDC subject alone may assume one account's read-only drift role. */
export const githubDriftEnvironment = (env: Env, account: keyof Env['accounts']): string =>
  `${githubDeployEnvironment(env, account)}-drift`;
/** Reads the account and detects drift of its stack on a schedule; changes nothing. */
export const driftRoleName = (env: Env, account: keyof Env['accounts']): string =>
  resourceName(env, `${account}-drift`);
export const driftRoleArn = (env: Env, account: keyof Env['accounts']): string =>
  iamRoleArn(env, env.accounts[account], driftRoleName(env, account));

// Canary (after every deploy, a real run and a probe prove the boundary on AWS itself)
/** Every canary submission ID and run ID starts with this; the canary roles reach only such IDs. */
export const CANARY_ID_PREFIX = 'canary-';
export const isCanaryId = (id: string): boolean => id.startsWith(CANARY_ID_PREFIX);
/** The GitHub environment (no reviewers) whose OIDC subject alone may assume the canary roles of an environment. */
export const githubCanaryEnvironment = (env: Env): string => `${env.environment}-canary`;
/** The account's GitHub OIDC provider, created by its deploy-access stack (one per account, by URL). */
export const githubOidcProviderArn = (env: Env, account: keyof Env['accounts']): string =>
  `arn:${env.partition}:iam::${env.accounts[account]}:oidc-provider/token.actions.githubusercontent.com`;
/** Data account: uploads one canary submission, reads its record and report, lists its run's scratch prefix. */
export const dataCanaryRoleName = (env: Env): string => resourceName(env, 'data-canary');
export const dataCanaryRoleArn = (env: Env): string => iamRoleArn(env, env.accounts.data, dataCanaryRoleName(env));
/** Orchestrator account: starts the analysis workflow, describes and reads the history of `canary-*` executions. */
export const orchestratorCanaryRoleName = (env: Env): string => resourceName(env, 'orchestrator-canary');
export const orchestratorCanaryRoleArn = (env: Env): string =>
  iamRoleArn(env, env.accounts.orchestrator, orchestratorCanaryRoleName(env));
/** An execution of the analysis workflow by name (`*` for a pattern). */
export const analysisExecutionArn = (env: Env, executionName: string): string =>
  `arn:${env.partition}:states:${env.region}:${env.accounts.orchestrator}:execution:${analysisStateMachineName(env)}:${executionName}`;
/** The canary's role in each account it touches; the sandbox has none (the canary reaches it only through a run). */
export const CANARY_ROLE_NAMES = { data: dataCanaryRoleName, orchestrator: orchestratorCanaryRoleName } as const;
