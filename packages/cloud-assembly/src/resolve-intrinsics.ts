/** What a template's intrinsics resolve against: the stack's own account and region. */
export interface TemplateContext {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly stackName: string;
  readonly resources: Readonly<Record<string, { Type: string; Properties?: Record<string, unknown> }>>;
  /**
   * The deployed stack's physical IDs by logical ID (CloudFormation ListStackResources). When given, names, ARNs and
   * IDs resolve to the deployed ones, so a resolved template can be compared with what AWS returns.
   */
  readonly physicalIds?: Readonly<Record<string, string>>;
  /** Deployed values of attributes no physical ID gives (`<logicalId>.<attribute>`, e.g. a VPC's DefaultSecurityGroup). */
  readonly attributes?: Readonly<Record<string, string>>;
}

/**
 * Resolves the intrinsics CDK writes into IAM-relevant properties (Ref, Fn::GetAtt, Fn::Join, Fn::Sub) to strings
 * that read like the deployed values. Names CloudFormation generates at deploy are shown as `<stack>-<logicalId>`.
 */
export function resolveIntrinsics(value: unknown, ctx: TemplateContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, ctx));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [only] = entries;
  if (entries.length === 1 && only) {
    const [fn, arg] = only;
    if (fn === 'Ref') return ref(String(arg), ctx);
    if (fn === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      return getAtt(String(id), String(attribute), ctx);
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((p) => String(resolveIntrinsics(p, ctx))).join(separator);
    }
    if (fn === 'Fn::Sub') {
      const [template, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
      return template.replace(/\$\{([^}]+)\}/g, (_m, name: string) =>
        name in vars
          ? String(resolveIntrinsics(vars[name], ctx))
          : name.includes('.')
            ? getAtt(...(name.split('.', 2) as [string, string]), ctx)
            : ref(name, ctx),
      );
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, ctx)]));
}

const REF_IS_ARN = new Set([
  'AWS::IAM::OIDCProvider',
  'AWS::IAM::ManagedPolicy',
  'AWS::StepFunctions::StateMachine',
  'AWS::SNS::Topic',
  'AWS::ECS::TaskDefinition',
]);

function ref(name: string, ctx: TemplateContext): string {
  const pseudo: Record<string, string> = {
    'AWS::Partition': ctx.partition,
    'AWS::AccountId': ctx.accountId,
    'AWS::Region': ctx.region,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': ctx.stackName,
  };
  const value = pseudo[name];
  if (value !== undefined) return value;
  // For these types CloudFormation's Ref is the ARN, not the name.
  if (REF_IS_ARN.has(ctx.resources[name]?.Type ?? '')) return getAtt(name, 'Arn', ctx);
  return physicalName(name, ctx);
}

/** Attributes whose value is the resource's physical ID. */
const ATTRIBUTE_IS_PHYSICAL_ID: Readonly<Record<string, string>> = {
  'AWS::EC2::SecurityGroup': 'GroupId',
  'AWS::Route53Resolver::FirewallRuleGroup': 'Id',
};

/** The physical name of a resource: the deployed one when known, else its explicit name property when it has one. */
export function physicalName(id: string, ctx: TemplateContext): string {
  const deployed = ctx.physicalIds?.[id];
  if (deployed !== undefined) return deployed;
  const resource = ctx.resources[id];
  const props = resource?.Properties ?? {};
  const explicit = [
    'RoleName',
    'BucketName',
    'FunctionName',
    'StateMachineName',
    'TableName',
    'ClusterName',
    'LogGroupName',
    'ManagedPolicyName',
    'UserName',
    'GroupName',
  ]
    .map((k) => props[k])
    .find((v) => typeof v === 'string');
  return (explicit as string | undefined) ?? `${ctx.stackName}-${id}`;
}

function getAtt(id: string, attribute: string, ctx: TemplateContext): string {
  const resource = ctx.resources[id];
  const deployedAttribute = ctx.attributes?.[`${id}.${attribute}`];
  if (deployedAttribute !== undefined) return deployedAttribute;
  const deployedId = ctx.physicalIds?.[id];
  if (resource && deployedId !== undefined && ATTRIBUTE_IS_PHYSICAL_ID[resource.Type] === attribute) return deployedId;
  if (!resource || attribute !== 'Arn') return `${id}.${attribute}`;
  const { partition: p, region: r, accountId: a } = ctx;
  // State machines, task definitions and managed policies have their ARN as physical ID.
  if (deployedId?.startsWith('arn:')) return deployedId;
  const name = physicalName(id, ctx);
  switch (resource.Type) {
    case 'AWS::IAM::Role':
      return `arn:${p}:iam::${a}:role/${name}`;
    case 'AWS::S3::Bucket':
      return `arn:${p}:s3:::${name}`;
    case 'AWS::KMS::Key':
      return `arn:${p}:kms:${r}:${a}:key/${ctx.physicalIds?.[id] ?? id}`;
    case 'AWS::Lambda::Function':
      return `arn:${p}:lambda:${r}:${a}:function:${name}`;
    case 'AWS::Logs::LogGroup':
      return `arn:${p}:logs:${r}:${a}:log-group:${name}:*`;
    case 'AWS::ECS::Cluster':
      return `arn:${p}:ecs:${r}:${a}:cluster/${name}`;
    case 'AWS::ECS::TaskDefinition':
      // The revision the stack creates first; a redeploy registers the next one (the Ref follows it).
      return `arn:${p}:ecs:${r}:${a}:task-definition/${String(resource.Properties?.Family ?? name)}:1`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:${p}:states:${r}:${a}:stateMachine:${name}`;
    case 'AWS::DynamoDB::GlobalTable':
    case 'AWS::DynamoDB::Table':
      return `arn:${p}:dynamodb:${r}:${a}:table/${name}`;
    case 'AWS::IAM::ManagedPolicy':
      return `arn:${p}:iam::${a}:policy/${name}`;
    case 'AWS::IAM::OIDCProvider':
      return `arn:${p}:iam::${a}:oidc-provider/${String(resource.Properties?.Url ?? id).replace(/^https:\/\//, '')}`;
    default:
      return `arn:${p}:${(resource.Type.split('::')[1] ?? 'resource').toLowerCase()}:${r}:${a}:${id}`;
  }
}
