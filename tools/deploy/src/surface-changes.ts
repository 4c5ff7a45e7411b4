/** A CloudFormation template as `GetTemplate` returns it and `cdk synth` writes it. */
export interface CfnTemplate {
  readonly Resources?: Readonly<
    Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>
  >;
}

export type SurfaceKind = 'trust' | 'iam' | 'resource-policy' | 'network' | 'code';

/** One change of the security surface between what is deployed and what is about to be, in words. */
export interface SurfaceChange {
  readonly kind: SurfaceKind;
  readonly resource: string;
  readonly words: string;
}

/**
 * The seam: how two templates are compared. The default below compares the properties that carry permissions;
 * the trust review's own diff can replace it without changing the gate.
 */
export type CompareTemplates = (deployed: CfnTemplate | undefined, proposed: CfnTemplate) => SurfaceChange[];

/** Per resource type, the properties that carry permissions or code, and what kind of surface they are. */
const SURFACE: Readonly<Record<string, ReadonlyArray<readonly [property: string, kind: SurfaceKind]>>> = {
  'AWS::IAM::Role': [
    ['AssumeRolePolicyDocument', 'trust'],
    ['PermissionsBoundary', 'trust'],
    ['Policies', 'iam'],
    ['ManagedPolicyArns', 'iam'],
  ],
  'AWS::IAM::Policy': [
    ['PolicyDocument', 'iam'],
    ['Roles', 'iam'],
  ],
  'AWS::IAM::ManagedPolicy': [
    ['PolicyDocument', 'iam'],
    ['Roles', 'iam'],
  ],
  'AWS::S3::BucketPolicy': [['PolicyDocument', 'resource-policy']],
  'AWS::KMS::Key': [['KeyPolicy', 'resource-policy']],
  'AWS::Lambda::Permission': [
    ['Principal', 'resource-policy'],
    ['Action', 'resource-policy'],
    ['SourceArn', 'resource-policy'],
    ['SourceAccount', 'resource-policy'],
  ],
  'AWS::ECR::Repository': [['RepositoryPolicyText', 'resource-policy']],
  'AWS::Logs::ResourcePolicy': [['PolicyDocument', 'resource-policy']],
  'AWS::EC2::VPCEndpoint': [
    ['PolicyDocument', 'network'],
    ['ServiceName', 'network'],
    ['SecurityGroupIds', 'network'],
    ['RouteTableIds', 'network'],
    ['SubnetIds', 'network'],
  ],
  'AWS::EC2::SecurityGroup': [
    ['SecurityGroupIngress', 'network'],
    ['SecurityGroupEgress', 'network'],
  ],
  'AWS::EC2::SecurityGroupIngress': [['*', 'network']],
  'AWS::EC2::SecurityGroupEgress': [['*', 'network']],
  'AWS::EC2::Route': [['*', 'network']],
  'AWS::EC2::SubnetRouteTableAssociation': [['*', 'network']],
  'AWS::EC2::InternetGateway': [['*', 'network']],
  'AWS::EC2::VPCGatewayAttachment': [['*', 'network']],
  'AWS::EC2::NatGateway': [['*', 'network']],
  'AWS::Route53Resolver::FirewallRule': [['*', 'network']],
  'AWS::Route53Resolver::FirewallRuleGroup': [['FirewallRules', 'network']],
  'AWS::Route53Resolver::FirewallDomainList': [['Domains', 'network']],
  'AWS::Lambda::Function': [['Code', 'code']],
  'AWS::ECS::TaskDefinition': [['ContainerDefinitions', 'code']],
  'AWS::StepFunctions::StateMachine': [
    ['DefinitionString', 'code'],
    ['Definition', 'code'],
  ],
};

/** JSON with sorted keys, so that key order never reads as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** Lambda bundles and container images are named by their content hash in the asset manifest. */
function digestOf(property: string, value: unknown): string | undefined {
  if (property === 'Code') return canonical((value as Record<string, unknown> | undefined)?.S3Key);
  if (property === 'ContainerDefinitions')
    return canonical(((value as Array<{ Image?: unknown }> | undefined) ?? []).map((c) => c.Image));
  return undefined;
}

const describeValue = (property: string, value: unknown) => digestOf(property, value) ?? canonical(value);

/**
 * Every added or changed permission-carrying property, Lambda bundle, image and workflow definition. A removed
 * resource narrows and is not listed. Any change counts: telling a narrowing edit from a broadening one inside a
 * policy is the reviewer's job, with the words in front of them.
 */
export const compareTemplates: CompareTemplates = (deployed, proposed) => {
  const changes: SurfaceChange[] = [];
  for (const [id, resource] of Object.entries(proposed.Resources ?? {})) {
    const surface = SURFACE[resource.Type];
    if (!surface) continue;
    const before = deployed?.Resources?.[id];
    const label = `${id} (${resource.Type})`;
    if (!before || before.Type !== resource.Type) {
      // A new resource is of the kind of its first watched property (a role's trust, a function's code).
      const [[, kind]] = surface as [readonly [string, SurfaceKind]];
      changes.push({ kind, resource: label, words: `new ${resource.Type} ${id}` });
      continue;
    }
    for (const [property, kind] of surface) {
      const [was, now] =
        property === '*'
          ? [before.Properties, resource.Properties]
          : [before.Properties?.[property], resource.Properties?.[property]];
      if (canonical(was) === canonical(now)) continue;
      const what = property === '*' ? 'properties' : property;
      changes.push({
        kind,
        resource: label,
        words: `${what} of ${id} changes from ${describeValue(property, was)} to ${describeValue(property, now)}`,
      });
    }
  }
  return changes;
};

/** Whether the changes need a reviewer: anything but code (which is listed for the reviewer all the same). */
export const broadens = (changes: readonly SurfaceChange[]): boolean => changes.some((c) => c.kind !== 'code');

/** The job summary: the diff in words, grouped by kind. */
export function summarize(stackName: string, changes: readonly SurfaceChange[]): string {
  if (changes.length === 0) return `### ${stackName}: no change to IAM, trust, resource policies, network or code\n`;
  const heading = broadens(changes)
    ? `### ${stackName}: broadening changes — a reviewer must approve the \`-broadening\` environment`
    : `### ${stackName}: code changes only (no IAM, trust, resource-policy or network change)`;
  const lines = changes.map((c) => `- **${c.kind}** ${c.words}`);
  return [heading, '', ...lines, ''].join('\n');
}
