import { ACCOUNT_ROLES, type AccountRole, type AirlockEnvironment } from '@airlock/shared/environment';
import { readCloudAssembly } from './account-assembly.js';
import { asList, type PolicyDocument } from './policy-types.js';
import { physicalName, resolveIntrinsics, type TemplateContext } from './resolve-intrinsics.js';
import { readDefinition, type Definition } from './state-machine-definition.js';

interface Located {
  readonly account: AccountRole;
  readonly accountId: string;
  readonly stack: string;
  readonly logicalId: string;
}

export interface RoleModel extends Located {
  readonly name: string;
  readonly arn: string;
  /** True when CloudFormation generates the name at deploy; `name` is then `<stack>-<logicalId>`. */
  readonly generatedName: boolean;
  /** What the role is for, from its description: the step that uses it. */
  readonly usedBy: string;
  readonly trust: PolicyDocument;
  readonly permissions: ReadonlyArray<{ readonly name: string; readonly document: PolicyDocument }>;
  readonly managedPolicyArns: readonly string[];
  /** The permissions boundary's ARN: the role can do only what both its policies and the boundary allow. */
  readonly permissionsBoundaryArn?: string;
}

/** An IAM user or group of a template: the design has none (a user holds long-lived credentials). */
export interface IdentityModel extends Located {
  readonly kind: 'user' | 'group';
  readonly name: string;
  readonly arn: string;
  /** Its inline policies and the `AWS::IAM::Policy`/`UserPolicy`/`GroupPolicy` resources of its template naming it. */
  readonly permissions: ReadonlyArray<{ readonly name: string; readonly document: PolicyDocument }>;
  /** Its own `ManagedPolicyArns` and every managed policy of its template that names it in `Users`/`Groups`. */
  readonly managedPolicyArns: readonly string[];
  /** A user's groups: its own `Groups` and each `AWS::IAM::UserToGroupAddition` naming it. */
  readonly groups: readonly string[];
  readonly permissionsBoundaryArn?: string;
}

/** An `AWS::IAM::AccessKey`: a long-lived credential of the user it names. */
export interface AccessKeyModel extends Located {
  readonly userName: string;
}

/** An `AWS::IAM::UserToGroupAddition`: it may add users its template does not define (existing ones) to a group. */
export interface GroupMembershipModel extends Located {
  readonly groupName: string;
  readonly userNames: readonly string[];
}

export interface ResourcePolicyModel extends Located {
  readonly type: string;
  /** VPC endpoint policies filter a network path; they grant nothing on their own. */
  readonly isEndpointPolicy: boolean;
  readonly policy: PolicyDocument;
}

export interface ManagedPolicyModel extends Located {
  readonly name: string;
  readonly document: PolicyDocument;
}

export interface TaskDefinitionModel extends Located {
  readonly family: string;
  readonly taskRoleArn?: string;
  readonly executionRoleArn?: string;
  /** `awsvpc` for Fargate; absent in a template means ECS's default (`bridge` on EC2). */
  readonly networkMode?: string;
  /** Shared process (`task`, `host`) or IPC namespaces; absent means each container has its own. */
  readonly pidMode?: string;
  readonly ipcMode?: string;
  /** The task's volumes and where each comes from (`bind` is the task's own ephemeral storage). */
  readonly volumes: ReadonlyArray<{ readonly name: string; readonly source: string }>;
  readonly containers: readonly ContainerModel[];
}

/** What a container definition says about its confinement (I4), as the template has it. */
export interface ContainerModel {
  readonly name: string;
  readonly user?: string;
  readonly readonlyRootFilesystem: boolean;
  readonly privileged: boolean;
  readonly addedCapabilities: readonly string[];
  readonly droppedCapabilities: readonly string[];
  /** Names of its fixed environment variables (values stay out of the review). */
  readonly environmentNames: readonly string[];
  /** S3 objects whose variables join the environment at launch. */
  readonly environmentFiles: readonly string[];
  /** Names of the variables ECS fills from Secrets Manager or Parameter Store. */
  readonly secrets: readonly string[];
  readonly repositoryCredentials: boolean;
  readonly initProcessEnabled: boolean;
  /** Host devices mapped in (`hostPath:containerPath`). */
  readonly devices: readonly string[];
  readonly dockerSecurityOptions: readonly string[];
  readonly systemControls: readonly string[];
  /** `name soft/hard`. */
  readonly ulimits: readonly string[];
  readonly mountPoints: ReadonlyArray<{
    readonly sourceVolume: string;
    readonly containerPath: string;
    readonly readOnly: boolean;
  }>;
  /** Containers whose volumes this one mounts. */
  readonly volumesFrom: readonly string[];
}

/** A state machine's definition (ASL, intrinsics resolved), for rules over its Task states. */
export interface StateMachineModel extends Located {
  readonly name: string;
  /** Empty (no States) when `unresolved` says why the template does not hold it. */
  readonly definition: Definition;
  /** Why the definition could not be read from the template: rules refuse such a machine. */
  readonly unresolved?: string;
  /** The logical ID of the customer key that encrypts its definition and history, when the template names one. */
  readonly encryptionKey?: string;
  /** The execution role's ARN. */
  readonly roleArn: string;
  /**
   * The ARNs the definition takes from a `Ref` or `Fn::GetAtt … Arn` of a task definition in its own template: each
   * names the revision the deploy registers (and follows the next one), where a literal `…:1` stays pinned.
   */
  readonly taskDefinitionReferences: readonly string[];
}

/** A network resource of the templates (security groups, routes, gateways, attachments, DNS firewall). */
export interface NetworkResourceModel extends Located {
  readonly type: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** Resource types that open a VPC to something outside it (a route, a gateway, an attachment, a VPN). */
export const PATH_OUT_RESOURCE_TYPES = [
  'AWS::EC2::Route',
  'AWS::EC2::InternetGateway',
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::EC2::NatGateway',
  'AWS::EC2::EgressOnlyInternetGateway',
  'AWS::EC2::VPCPeeringConnection',
  'AWS::EC2::TransitGatewayAttachment',
  'AWS::EC2::TransitGatewayVpcAttachment',
  'AWS::EC2::VPNGateway',
  'AWS::EC2::VPNConnection',
  'AWS::EC2::CarrierGateway',
  'AWS::EC2::ClientVpnEndpoint',
] as const;

/** The resource types that make up an account's network paths. */
export const NETWORK_RESOURCE_TYPES = [
  'AWS::EC2::VPC',
  'AWS::EC2::VPCCidrBlock',
  'AWS::EC2::Subnet',
  'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::NetworkAcl',
  'AWS::EC2::SubnetNetworkAclAssociation',
  'AWS::EC2::VPCEndpoint',
  'AWS::EC2::FlowLog',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress',
  ...PATH_OUT_RESOURCE_TYPES,
  'AWS::EC2::NetworkAclEntry',
  'AWS::Route53Resolver::FirewallDomainList',
  'AWS::Route53Resolver::FirewallRuleGroup',
  'AWS::Route53Resolver::FirewallRuleGroupAssociation',
] as const;

/**
 * Every other resource of the templates (functions, buckets, tables, keys, rules, custom resources, …) with its
 * properties, a resource policy's document left to `resourcePolicies`: nothing a template adds is invisible.
 */
export interface OtherResourceModel extends Located {
  readonly type: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface AcknowledgementModel extends Located {
  readonly id: string;
  readonly reason: string;
}

/** An `AWS::IAM::Policy` that names a role its template does not define (a bootstrap role, another stack's role). */
export interface PolicyOnOtherRoleModel extends Located {
  readonly name: string;
  /** The role names it attaches to that the template does not define. */
  readonly roles: readonly string[];
  readonly document: PolicyDocument;
}

export interface TrustSurface {
  readonly env: AirlockEnvironment;
  readonly roles: readonly RoleModel[];
  /** Policies the templates put on roles they do not define: invisible in `roles`, so a rule looks at them. */
  readonly policiesOnOtherRoles: readonly PolicyOnOtherRoleModel[];
  readonly resourcePolicies: readonly ResourcePolicyModel[];
  readonly managedPolicies: readonly ManagedPolicyModel[];
  readonly taskDefinitions: readonly TaskDefinitionModel[];
  readonly stateMachines: readonly StateMachineModel[];
  readonly networkResources: readonly NetworkResourceModel[];
  readonly acknowledgements: readonly AcknowledgementModel[];
  /** IAM users and groups, with their policies resolved. */
  readonly identities: readonly IdentityModel[];
  readonly accessKeys: readonly AccessKeyModel[];
  readonly groupMemberships: readonly GroupMembershipModel[];
  readonly otherResources: readonly OtherResourceModel[];
}

type Template = {
  Resources?: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
};

/** Reads every stack of the three cloud assemblies (`<root>/apps/<account>-account/cdk.out`). */
/**
 * The role's permissions boundary as a document: `undefined` when it has none, `'unknown'` when its boundary is not
 * a customer managed policy of the synthesized stacks (then nothing can say what it allows).
 */
export function boundaryOf(
  surface: TrustSurface,
  role: Pick<RoleModel, 'permissionsBoundaryArn'>,
): PolicyDocument | 'unknown' | undefined {
  if (!role.permissionsBoundaryArn) return undefined;
  const { partition } = surface.env;
  const policy = surface.managedPolicies.find(
    (p) => `arn:${partition}:iam::${p.accountId}:policy/${p.name}` === role.permissionsBoundaryArn,
  );
  return policy?.document ?? 'unknown';
}

export function loadTrustSurface(env: AirlockEnvironment, workspaceRoot: string): TrustSurface {
  const surface = {
    env,
    roles: [] as RoleModel[],
    policiesOnOtherRoles: [] as PolicyOnOtherRoleModel[],
    resourcePolicies: [] as ResourcePolicyModel[],
    managedPolicies: [] as ManagedPolicyModel[],
    taskDefinitions: [] as TaskDefinitionModel[],
    stateMachines: [] as StateMachineModel[],
    networkResources: [] as NetworkResourceModel[],
    acknowledgements: [] as AcknowledgementModel[],
    identities: [] as IdentityModel[],
    accessKeys: [] as AccessKeyModel[],
    groupMemberships: [] as GroupMembershipModel[],
    otherResources: [] as OtherResourceModel[],
  };
  for (const account of ACCOUNT_ROLES) {
    const stacks = [...readCloudAssembly(workspaceRoot, account).stacksRecursively].sort((a, b) =>
      a.stackName.localeCompare(b.stackName),
    );
    for (const stack of stacks) addTemplate(surface, account, stack.stackName, stack.template as Template);
  }
  return surface;
}

/** Adds one template's IAM-relevant resources; exported for tests that build a surface from edited templates. */
export function addTemplate(
  surface: { env: AirlockEnvironment } & { [K in keyof Omit<TrustSurface, 'env'>]: unknown[] },
  account: AccountRole,
  stack: string,
  template: Template,
): void {
  const resources = template.Resources ?? {};
  const ctx: TemplateContext = {
    accountId: surface.env.accounts[account],
    region: surface.env.region,
    partition: surface.env.partition,
    stackName: stack,
    resources,
  };
  const at = (logicalId: string): Located => ({ account, accountId: ctx.accountId, stack, logicalId });
  const resolve = <T>(value: unknown) => resolveIntrinsics(value, ctx) as T;

  // Policies and managed-policy attachments that name a role, user or group from outside it, by kind and name.
  const attached = new Map<string, Array<{ name: string; document: PolicyDocument }>>();
  const attachedManaged = new Map<string, string[]>();
  const memberships = new Map<string, string[]>();
  const add = <T>(map: Map<string, T[]>, key: string, value: T) => map.set(key, [...(map.get(key) ?? []), value]);
  const definedRoles = new Set(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role')
      .map(([id]) => physicalName(id, ctx)),
  );
  const named = (props: Record<string, unknown>, key: string) => asList(resolve<string | string[]>(props[key]));
  for (const [id, r] of Object.entries(resources)) {
    const props = r.Properties ?? {};
    const policy = () => ({
      name: String(props.PolicyName ?? id),
      document: resolve<PolicyDocument>(props.PolicyDocument),
    });
    switch (r.Type) {
      case 'AWS::IAM::Policy': {
        const roles = named(props, 'Roles');
        const others = roles.filter((role) => !definedRoles.has(role));
        if (others.length > 0) surface.policiesOnOtherRoles.push({ ...at(id), ...policy(), roles: others });
        for (const role of roles) add(attached, `role/${role}`, policy());
        for (const user of named(props, 'Users')) add(attached, `user/${user}`, policy());
        for (const group of named(props, 'Groups')) add(attached, `group/${group}`, policy());
        break;
      }
      case 'AWS::IAM::RolePolicy': {
        const role = resolve<string>(props.RoleName);
        if (!definedRoles.has(role)) surface.policiesOnOtherRoles.push({ ...at(id), ...policy(), roles: [role] });
        add(attached, `role/${role}`, policy());
        break;
      }
      case 'AWS::IAM::UserPolicy':
        add(attached, `user/${resolve<string>(props.UserName)}`, policy());
        break;
      case 'AWS::IAM::GroupPolicy':
        add(attached, `group/${resolve<string>(props.GroupName)}`, policy());
        break;
      case 'AWS::IAM::ManagedPolicy': {
        const arn = resolve<string>({ Ref: id });
        for (const kind of ['Roles', 'Users', 'Groups'] as const)
          for (const name of named(props, kind))
            add(attachedManaged, `${kind.slice(0, -1).toLowerCase()}/${name}`, arn);
        break;
      }
      case 'AWS::IAM::UserToGroupAddition': {
        const group = resolve<string>(props.GroupName);
        surface.groupMemberships.push({ ...at(id), groupName: group, userNames: named(props, 'Users') });
        for (const user of named(props, 'Users')) add(memberships, user, group);
        break;
      }
    }
  }

  for (const [id, r] of Object.entries(resources)) {
    const props = r.Properties ?? {};
    for (const rule of asList(
      (r.Metadata?.cdk_nag as { rules_to_suppress?: Array<{ id: string; reason: string }> } | undefined)
        ?.rules_to_suppress,
    )) {
      if (!rule.id.startsWith('CloudFormation-Validate'))
        surface.acknowledgements.push({ ...at(id), id: rule.id, reason: rule.reason });
    }
    switch (r.Type) {
      case 'AWS::IAM::Role': {
        const name = physicalName(id, ctx);
        const inline = asList(props.Policies as Array<{ PolicyName: string; PolicyDocument: unknown }>).map((p) => ({
          name: p.PolicyName,
          document: resolve<PolicyDocument>(p.PolicyDocument),
        }));
        surface.roles.push({
          ...at(id),
          name,
          arn: `arn:${ctx.partition}:iam::${ctx.accountId}:role/${name}`,
          generatedName: typeof props.RoleName !== 'string',
          usedBy: String(props.Description ?? ''),
          trust: resolve<PolicyDocument>(props.AssumeRolePolicyDocument),
          permissions: [...inline, ...(attached.get(`role/${name}`) ?? [])],
          managedPolicyArns: [
            ...asList(resolve<string | string[]>(props.ManagedPolicyArns)),
            ...(attachedManaged.get(`role/${name}`) ?? []),
          ],
          ...(props.PermissionsBoundary ? { permissionsBoundaryArn: resolve<string>(props.PermissionsBoundary) } : {}),
        });
        break;
      }
      case 'AWS::IAM::User':
      case 'AWS::IAM::Group': {
        const kind = r.Type === 'AWS::IAM::User' ? 'user' : 'group';
        const name = String(resolve(props[kind === 'user' ? 'UserName' : 'GroupName']) ?? `${ctx.stackName}-${id}`);
        const inline = asList(props.Policies as Array<{ PolicyName: string; PolicyDocument: unknown }>).map((p) => ({
          name: p.PolicyName,
          document: resolve<PolicyDocument>(p.PolicyDocument),
        }));
        surface.identities.push({
          ...at(id),
          kind,
          name,
          arn: `arn:${ctx.partition}:iam::${ctx.accountId}:${kind}/${name}`,
          permissions: [...inline, ...(attached.get(`${kind}/${name}`) ?? [])],
          managedPolicyArns: [
            ...asList(resolve<string | string[]>(props.ManagedPolicyArns)),
            ...(attachedManaged.get(`${kind}/${name}`) ?? []),
          ],
          groups:
            kind === 'user'
              ? [...asList(resolve<string | string[]>(props.Groups)), ...(memberships.get(name) ?? [])]
              : [],
          ...(props.PermissionsBoundary ? { permissionsBoundaryArn: resolve<string>(props.PermissionsBoundary) } : {}),
        });
        break;
      }
      case 'AWS::IAM::AccessKey':
        surface.accessKeys.push({ ...at(id), userName: resolve<string>(props.UserName) });
        break;
      case 'AWS::IAM::ManagedPolicy':
        surface.managedPolicies.push({
          ...at(id),
          name: physicalName(id, ctx),
          document: resolve<PolicyDocument>(props.PolicyDocument),
        });
        break;
      case 'AWS::ECS::TaskDefinition':
        surface.taskDefinitions.push({
          ...at(id),
          family: String(props.Family ?? id),
          ...(props.TaskRoleArn ? { taskRoleArn: resolve<string>(props.TaskRoleArn) } : {}),
          ...(props.ExecutionRoleArn ? { executionRoleArn: resolve<string>(props.ExecutionRoleArn) } : {}),
          ...(typeof props.NetworkMode === 'string' ? { networkMode: props.NetworkMode } : {}),
          ...(typeof props.PidMode === 'string' ? { pidMode: props.PidMode } : {}),
          ...(typeof props.IpcMode === 'string' ? { ipcMode: props.IpcMode } : {}),
          volumes: asList(props.Volumes as VolumeDefinition[]).map(volumeModel),
          containers: asList(props.ContainerDefinitions as ContainerDefinition[]).map(containerModel),
        });
        break;
      case 'AWS::StepFunctions::StateMachine': {
        const read = readDefinition(resolve<Record<string, unknown>>(props));
        surface.stateMachines.push({
          ...at(id),
          name: physicalName(id, ctx),
          ...('definition' in read ? { definition: read.definition } : { definition: {}, unresolved: read.unresolved }),
          roleArn: resolve<string>(props.RoleArn),
          taskDefinitionReferences: taskDefinitionReferences(
            [props.Definition, props.DefinitionString, props.DefinitionSubstitutions],
            resources,
          ).map((reference) => resolve<string>(reference)),
          ...keyReference((props.EncryptionConfiguration as { KmsKeyId?: unknown } | undefined)?.KmsKeyId),
        });
        break;
      }
      case 'AWS::IAM::UserToGroupAddition':
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::RolePolicy':
      case 'AWS::IAM::UserPolicy':
      case 'AWS::IAM::GroupPolicy':
        // Modeled with the role, user or group they name (first loop).
        break;
      default: {
        if ((NETWORK_RESOURCE_TYPES as readonly string[]).includes(r.Type))
          surface.networkResources.push({
            ...at(id),
            type: r.Type,
            properties: resolve<Record<string, unknown>>(props),
          });
        else {
          const { [POLICY_PROPERTY[r.Type] ?? '']: _policy, ...rest } = props;
          surface.otherResources.push({ ...at(id), type: r.Type, properties: resolve<Record<string, unknown>>(rest) });
        }
        for (const document of resourcePolicyDocuments(r.Type, props)) {
          surface.resourcePolicies.push({
            ...at(id),
            type: r.Type,
            isEndpointPolicy: r.Type === 'AWS::EC2::VPCEndpoint',
            policy: resolve<PolicyDocument>(document),
          });
        }
      }
    }
  }
}

interface ContainerDefinition {
  Name?: string;
  User?: string;
  ReadonlyRootFilesystem?: boolean;
  Privileged?: boolean;
  LinuxParameters?: {
    Capabilities?: { Add?: string[]; Drop?: string[] };
    InitProcessEnabled?: boolean;
    Devices?: Array<{ HostPath?: string; ContainerPath?: string }>;
  };
  Environment?: Array<{ Name?: string }>;
  EnvironmentFiles?: Array<{ Value?: unknown }>;
  Secrets?: Array<{ Name?: string }>;
  RepositoryCredentials?: unknown;
  DockerSecurityOptions?: string[];
  SystemControls?: Array<{ Namespace?: string; Value?: string }>;
  Ulimits?: Array<{ Name?: string; SoftLimit?: number; HardLimit?: number }>;
  MountPoints?: Array<{ SourceVolume?: string; ContainerPath?: string; ReadOnly?: boolean }>;
  VolumesFrom?: Array<{ SourceContainer?: string }>;
}

const containerModel = (c: ContainerDefinition): ContainerModel => ({
  name: String(c.Name ?? ''),
  ...(c.User === undefined ? {} : { user: String(c.User) }),
  readonlyRootFilesystem: c.ReadonlyRootFilesystem === true,
  privileged: c.Privileged === true,
  addedCapabilities: asList(c.LinuxParameters?.Capabilities?.Add),
  droppedCapabilities: asList(c.LinuxParameters?.Capabilities?.Drop),
  environmentNames: asList(c.Environment).map((e) => String(e.Name)),
  environmentFiles: asList(c.EnvironmentFiles).map((f) => JSON.stringify(f.Value)),
  secrets: asList(c.Secrets).map((s) => String(s.Name)),
  repositoryCredentials: c.RepositoryCredentials !== undefined,
  initProcessEnabled: c.LinuxParameters?.InitProcessEnabled === true,
  devices: asList(c.LinuxParameters?.Devices).map(
    (d) => `${String(d.HostPath)}:${String(d.ContainerPath ?? d.HostPath)}`,
  ),
  dockerSecurityOptions: asList(c.DockerSecurityOptions).map(String),
  systemControls: asList(c.SystemControls).map((s) => `${String(s.Namespace)}=${String(s.Value)}`),
  ulimits: asList(c.Ulimits).map((u) => `${String(u.Name)} ${String(u.SoftLimit)}/${String(u.HardLimit)}`),
  mountPoints: asList(c.MountPoints).map((m) => ({
    sourceVolume: String(m.SourceVolume),
    containerPath: String(m.ContainerPath),
    readOnly: m.ReadOnly === true,
  })),
  volumesFrom: asList(c.VolumesFrom).map((v) => String(v.SourceContainer)),
});

interface VolumeDefinition {
  Name?: string;
  Host?: { SourcePath?: string };
  EFSVolumeConfiguration?: unknown;
  FSxWindowsFileServerVolumeConfiguration?: unknown;
  DockerVolumeConfiguration?: unknown;
  ConfiguredAtLaunch?: boolean;
}

/** Where a volume's data lives: only `bind` (no source) is the task's own ephemeral storage. */
const volumeModel = (v: VolumeDefinition): { name: string; source: string } => ({
  name: String(v.Name),
  source: v.Host?.SourcePath
    ? `host path ${v.Host.SourcePath}`
    : v.EFSVolumeConfiguration
      ? 'EFS'
      : v.FSxWindowsFileServerVolumeConfiguration
        ? 'FSx'
        : v.DockerVolumeConfiguration
          ? 'a Docker volume'
          : v.ConfiguredAtLaunch
            ? 'a volume configured at launch'
            : 'bind',
});

/** Every `{ Ref: id }` or `{ 'Fn::GetAtt': [id, 'Arn'] }` inside `value` whose `id` is an ECS task definition. */
function taskDefinitionReferences(value: unknown, resources: NonNullable<Template['Resources']>): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => taskDefinitionReferences(v, resources));
  if (typeof value !== 'object' || value === null) return [];
  const { Ref: ref, 'Fn::GetAtt': getAtt } = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  const id = typeof ref === 'string' ? ref : Array.isArray(getAtt) && getAtt[1] === 'Arn' ? getAtt[0] : undefined;
  if (typeof id === 'string' && resources[id]?.Type === 'AWS::ECS::TaskDefinition') return [value];
  return Object.values(value).flatMap((v) => taskDefinitionReferences(v, resources));
}

/** Where each resource type keeps its resource-based policy. */
/** `{ Ref: id }` or `{ 'Fn::GetAtt': [id, 'Arn'] }` of a key in the same template. */
function keyReference(value: unknown): { encryptionKey?: string } {
  const reference = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown } | undefined;
  const id = reference?.Ref ?? (Array.isArray(reference?.['Fn::GetAtt']) ? reference['Fn::GetAtt'][0] : undefined);
  return typeof id === 'string' ? { encryptionKey: id } : {};
}

/** The property that holds a resource type's policy document (a JSON string for some types). */
const POLICY_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::S3::AccessPoint': 'Policy',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::SQS::QueueInlinePolicy': 'PolicyDocument',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::SNS::TopicInlinePolicy': 'PolicyDocument',
  'AWS::EC2::VPCEndpoint': 'PolicyDocument',
  'AWS::KMS::Key': 'KeyPolicy',
  'AWS::KMS::ReplicaKey': 'KeyPolicy',
  'AWS::Logs::ResourcePolicy': 'PolicyDocument',
  'AWS::Logs::Destination': 'DestinationPolicy',
  'AWS::ECR::Repository': 'RepositoryPolicyText',
  'AWS::SecretsManager::ResourcePolicy': 'ResourcePolicy',
};

function resourcePolicyDocuments(type: string, props: Record<string, unknown>): unknown[] {
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  const property = POLICY_PROPERTY[type];
  if (property) return props[property] ? [parse(props[property])] : [];
  switch (type) {
    case 'AWS::DynamoDB::Table':
      return props.ResourcePolicy ? [(props.ResourcePolicy as { PolicyDocument: unknown }).PolicyDocument] : [];
    case 'AWS::Events::EventBusPolicy':
      // Either a whole statement or the older Principal (an account ID or "*") and Action. The older form names no
      // resource (it grants on this bus); read as `Resource: '*'` it can only look broader to the rules, never narrower.
      return [
        {
          Statement: [
            props.Statement ?? {
              Effect: 'Allow',
              Principal: { AWS: props.Principal },
              Action: props.Action,
              Resource: '*',
              ...(props.Condition ? { Condition: props.Condition } : {}),
            },
          ],
        },
      ];
    case 'AWS::DynamoDB::GlobalTable':
      return asList(props.Replicas as Array<{ ResourcePolicy?: { PolicyDocument: unknown } }>).flatMap((r) =>
        r.ResourcePolicy ? [r.ResourcePolicy.PolicyDocument] : [],
      );
    case 'AWS::Lambda::Permission':
      // A permission is a one-statement resource policy.
      return [
        {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { [String(props.Principal).includes('.amazonaws.com') ? 'Service' : 'AWS']: props.Principal },
              Action: props.Action,
              Resource: props.FunctionName,
              ...(props.SourceAccount
                ? { Condition: { StringEquals: { 'aws:SourceAccount': props.SourceAccount } } }
                : {}),
            },
          ],
        },
      ];
    case 'AWS::StepFunctions::StateMachine':
    case 'AWS::Lambda::Function':
      return [];
    default:
      return [];
  }
}
