import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  accountStack,
  loadTrustSurface,
  resolveIntrinsics,
  type TemplateContext,
  type TrustSurface,
} from '@airlock/cloud-assembly';
import {
  analysisStateMachineArn,
  dataBucketName,
  dataPlaneStateMachineArn,
  runsTableName,
  type AccountRole,
  type AirlockEnvironment,
} from '@airlock/shared/environment';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Template = { Resources: Record<string, Resource> };

export interface LambdaArtifact {
  readonly arn: string;
  readonly logicalId: string;
  /** The bundled handler the template's code asset points at. */
  readonly bundle: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly roleArn: string;
}

/** What the rehearsal runs, all read from the synthesized cloud assemblies, never from source. */
export interface Artifacts {
  readonly env: AirlockEnvironment;
  readonly surface: TrustSurface;
  readonly standard: { readonly arn: string; readonly definition: object; readonly roleArn: string };
  readonly express: { readonly arn: string; readonly definition: object; readonly roleArn: string };
  readonly functions: ReadonlyMap<string, LambdaArtifact>;
  readonly task: {
    readonly family: string;
    readonly taskRoleArn?: string;
    readonly executionRoleArn: string;
    readonly containerName: string;
    /** The runner bundle inside the image's build context in cdk.out. */
    readonly runner: string;
  };
  readonly launchConfig: { readonly name: string; readonly value: string };
  readonly bucket: string;
  readonly table: string;
}

function readTemplate(
  root: string,
  account: AccountRole,
  env: AirlockEnvironment,
): { dir: string; template: Template; ctx: TemplateContext } {
  const stack = accountStack(env, root, account);
  const template = stack.template as Template;
  return {
    dir: stack.assembly.directory,
    template,
    ctx: {
      accountId: env.accounts[account],
      region: env.region,
      partition: env.partition,
      stackName: stack.stackName,
      resources: template.Resources,
    },
  };
}

const only = (template: Template, type: string): [string, Resource] => {
  const found = Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  const [first] = found;
  if (found.length !== 1 || !first) throw new Error(`expected one ${type}, found ${found.length}`);
  return first;
};

export function loadArtifacts(env: AirlockEnvironment, root: string): Artifacts {
  const orchestrator = readTemplate(root, 'orchestrator', env);
  const data = readTemplate(root, 'data', env);
  const sandbox = readTemplate(root, 'sandbox', env);
  const resolve = <T>(value: unknown, ctx: TemplateContext) => resolveIntrinsics(value, ctx) as T;

  const stateMachine = (t: typeof orchestrator, arn: string) => {
    const [, sm] = only(t.template, 'AWS::StepFunctions::StateMachine');
    return {
      arn,
      definition: JSON.parse(resolve<string>(sm.Properties.DefinitionString, t.ctx)) as object,
      roleArn: resolve<string>(sm.Properties.RoleArn, t.ctx),
    };
  };

  const functions = new Map<string, LambdaArtifact>();
  for (const [id, r] of Object.entries(data.template.Resources).filter(
    ([, res]) => res.Type === 'AWS::Lambda::Function',
  )) {
    const hash = String((r.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
    const assetDir = join(data.dir, `asset.${hash}`);
    const bundle = readdirSync(assetDir).find((f) => /^index\.m?js$/.test(f));
    if (!bundle) throw new Error(`no bundled handler in ${assetDir}`);
    functions.set(resolve<string>({ 'Fn::GetAtt': [id, 'Arn'] }, data.ctx), {
      arn: resolve<string>({ 'Fn::GetAtt': [id, 'Arn'] }, data.ctx),
      logicalId: id,
      bundle: join(assetDir, bundle),
      environment: resolve<Record<string, string>>(
        (r.Properties.Environment as { Variables: object }).Variables,
        data.ctx,
      ),
      roleArn: resolve<string>(r.Properties.Role, data.ctx),
    });
  }

  const [, taskDef] = only(sandbox.template, 'AWS::ECS::TaskDefinition');
  const [container = {}] = taskDef.Properties.ContainerDefinitions as Array<Record<string, unknown>>;
  const imageHash = /:([0-9a-f]{64})$/.exec(resolve<string>(container.Image, sandbox.ctx))?.[1];
  const [, parameter] = only(sandbox.template, 'AWS::SSM::Parameter');

  return {
    env,
    surface: loadTrustSurface(env, root),
    standard: stateMachine(orchestrator, analysisStateMachineArn(env)),
    express: stateMachine(data, dataPlaneStateMachineArn(env)),
    functions,
    task: {
      family: String(taskDef.Properties.Family),
      ...(taskDef.Properties.TaskRoleArn
        ? { taskRoleArn: resolve<string>(taskDef.Properties.TaskRoleArn, sandbox.ctx) }
        : {}),
      executionRoleArn: resolve<string>(taskDef.Properties.ExecutionRoleArn, sandbox.ctx),
      containerName: String(container.Name),
      runner: join(sandbox.dir, `asset.${imageHash ?? 'missing'}`, 'runner.mjs'),
    },
    launchConfig: {
      name: resolve<string>(parameter.Properties.Name, sandbox.ctx),
      value: resolve<string>(parameter.Properties.Value, sandbox.ctx),
    },
    bucket: dataBucketName(env),
    table: runsTableName(env),
  };
}
