import {
  broadeningDeployRoleArn,
  broadeningExecutionPolicyArn,
  broadeningExecutionPolicyName,
  broadeningExecutionRoleArn,
  CDK_BOOTSTRAP_QUALIFIER,
  cdkCloudFormationExecutionRoleArn,
  cfnExecutionPolicyArn,
  cfnExecutionPolicyName,
  dataBucketArn,
  dataInvokerRoleArn,
  deployRoleArn,
  driftRoleArn,
  killSwitchPolicyArn,
  orchestratorRoleArn,
  permissionsBoundaryArn,
  permissionsBoundaryName,
  resourceName,
  sandboxLauncherRoleArn,
} from '@airlock/contracts';
import type { AccountRole } from '@airlock/shared/environment';
import {
  accountOfArn,
  simulateRequest,
  type PolicyDocument,
  type Statement,
  type TrustSurface,
} from '@airlock/cloud-assembly';
import type { SimulationRow, Verdict } from './simulation-matrix.js';
import { FOREIGN_ACCOUNT } from './simulated-principals.js';

const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** A policy as the matrix evaluates it: named, so the statement that decides can be reported. */
interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
}

/** Who acts, with what it holds: identity policies and, if it has one, its permissions boundary. */
interface Actor {
  readonly name: string;
  readonly arn: string;
  readonly identity: readonly NamedPolicy[];
  readonly boundary?: NamedPolicy;
}

export interface EscalationCase {
  readonly account: AccountRole;
  readonly actor: Actor;
  readonly attack: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
  /** The resource's own policy, where AWS asks it too (a KMS key's policy). */
  readonly resourcePolicy?: PolicyDocument;
  readonly expected: Verdict;
}

export interface EscalationRow extends SimulationRow {
  /** `Allowed by <policy>#<statement>`, `Denied by <policy>#<statement>`, or why nothing allows it. */
  readonly decidedBy: string;
}

/**
 * A stolen everyday deploy session, as it reaches the account: the deploy role itself, and CloudFormation acting
 * with the `-cfn-exec` execution policy (the CDK bootstrap deploy role may create, update or delete any stack and
 * pass exactly that execution role). The broadening execution role is attacked too: a reviewer approves a diff,
 * never a licence. Every case names what it tries; all but the everyday path's own changes must be denied.
 */
export function escalationCases(surface: TrustSurface): EscalationCase[] {
  const env = surface.env;
  const cases: EscalationCase[] = [];
  for (const account of new Set(surface.managedPolicies.map((p) => p.account))) {
    const policy = (name: string): NamedPolicy | undefined => {
      const found = surface.managedPolicies.find((p) => p.account === account && p.name === name);
      return found && { name, document: found.document };
    };
    const boundary = policy(permissionsBoundaryName(env, account));
    const cfnExec = policy(cfnExecutionPolicyName(env, account));
    const broadening = policy(broadeningExecutionPolicyName(env, account));
    const deployRole = surface.roles.find((r) => r.arn === deployRoleArn(env, account));
    const broadeningDeployRole = surface.roles.find((r) => r.arn === broadeningDeployRoleArn(env, account));
    if (!boundary || !cfnExec || !broadening || !deployRole || !broadeningDeployRole) continue;

    const accountId = env.accounts[account];
    const roleArn = (name: string) => `arn:${env.partition}:iam::${accountId}:role/${name}`;
    const cfnExecutionRole: Actor = {
      name: `CloudFormation with ${cfnExec.name} (stolen deploy session)`,
      arn: cdkCloudFormationExecutionRoleArn(env, account),
      identity: [cfnExec],
    };
    const sessionOf = (role: typeof deployRole, why: string): Actor => ({
      name: `${role.name} (${why})`,
      arn: role.arn,
      identity: role.permissions.map((p) => ({ name: `${role.name}/${p.name}`, document: p.document })),
      boundary,
    });
    const deploy = sessionOf(deployRole, 'stolen deploy session');
    const broadeningDeploy = sessionOf(broadeningDeployRole, 'reviewer-approved');
    // The README's incident path: the account's on-call administrator role, which carries no Airlock boundary.
    const onCall: Actor = {
      name: 'on-call administrator (no Airlock boundary)',
      arn: roleArn('on-call-administrator'),
      identity: [{ name: 'AdministratorAccess', document: { Version: '2012-10-17', Statement: [ALLOW_ALL] } }],
    };
    const broadeningExecution: Actor = {
      name: `CloudFormation with ${broadening.name} (reviewer-approved)`,
      arn: broadeningExecutionRoleArn(env, account),
      identity: [broadening],
      boundary,
    };
    /** The account's own role another account reaches (or, in the orchestrator, the role that reaches them). */
    const appRole = { orchestrator: orchestratorRoleArn, sandbox: sandboxLauncherRoleArn, data: dataInvokerRoleArn }[
      account
    ](env);
    // The role `airlock-deploy kill-switch` attaches its deny to: the launcher, or the data stack's prepare role.
    const killSwitchRole = {
      orchestrator: undefined,
      sandbox: sandboxLauncherRoleArn(env),
      data: surface.roles.find((r) => r.account === 'data' && /^PrepareRole[0-9A-F]{8}$/.test(r.logicalId))?.arn,
    }[account];
    const withBoundary = { 'iam:PermissionsBoundary': permissionsBoundaryArn(env, account) };
    const newRole = roleArn(resourceName(env, 'backdoor'));
    const deployAccessPolicies = [
      permissionsBoundaryArn(env, account),
      cfnExecutionPolicyArn(env, account),
      broadeningExecutionPolicyArn(env, account),
      killSwitchPolicyArn(env, account),
    ];
    // KMS asks the key policy as well; the account's keys delegate to IAM (`root`), which the real policy shows.
    const keyPolicy = surface.resourcePolicies.find((p) => p.account === account && p.type === 'AWS::KMS::Key')?.policy;
    const add = (actor: Actor, expected: Verdict, attack: string, action: string, resource: string, context = {}) =>
      cases.push({
        account,
        actor,
        attack,
        action,
        resource,
        context,
        expected,
        ...(action.startsWith('kms:') && keyPolicy ? { resourcePolicy: keyPolicy } : {}),
      });

    for (const actor of [cfnExecutionRole, broadeningExecution]) {
      add(actor, 'Denied', 'create a role without the boundary', 'iam:CreateRole', newRole);
      add(
        actor,
        'Denied',
        'put the boundary on a role with another policy',
        'iam:PutRolePermissionsBoundary',
        appRole,
        {
          'iam:PermissionsBoundary': ADMINISTRATOR_ACCESS,
        },
      );
      add(actor, 'Denied', 'edit a role that has no boundary', 'iam:PutRolePolicy', appRole);
      add(
        actor,
        'Denied',
        'remove the boundary from a role',
        'iam:DeleteRolePermissionsBoundary',
        appRole,
        withBoundary,
      );
      add(actor, 'Denied', 'attach AdministratorAccess to a role', 'iam:AttachRolePolicy', appRole, {
        ...withBoundary,
        'iam:PolicyARN': ADMINISTRATOR_ACCESS,
      });
      add(actor, 'Denied', 'attach the broadening execution policy to a role', 'iam:AttachRolePolicy', appRole, {
        ...withBoundary,
        'iam:PolicyARN': broadeningExecutionPolicyArn(env, account),
      });
      for (const target of deployAccessPolicies) {
        const name = target.split('/').pop();
        add(actor, 'Denied', `new default version of ${name}`, 'iam:CreatePolicyVersion', target);
        add(actor, 'Denied', `switch ${name} to another version`, 'iam:SetDefaultPolicyVersion', target);
        add(actor, 'Denied', `delete ${name}`, 'iam:DeletePolicy', target);
      }
      add(
        actor,
        'Denied',
        'create the kill-switch policy first (squat its name)',
        'iam:CreatePolicy',
        killSwitchPolicyArn(env, account),
      );
      for (const target of [deployRoleArn, broadeningDeployRoleArn, broadeningExecutionRoleArn, driftRoleArn]) {
        const arn = target(env, account);
        add(actor, 'Denied', `put an inline policy on ${arn.split('/').pop()}`, 'iam:PutRolePolicy', arn, withBoundary);
        add(actor, 'Denied', `delete ${arn.split('/').pop()} (to recreate it)`, 'iam:DeleteRole', arn);
      }
      add(actor, 'Denied', 'pass the deploy role to a service', 'iam:PassRole', deployRoleArn(env, account), {
        'iam:PassedToService': 'lambda.amazonaws.com',
      });
      add(
        actor,
        'Denied',
        'pass the broadening execution role to CloudFormation',
        'iam:PassRole',
        broadeningExecutionRoleArn(env, account),
        {
          'iam:PassedToService': 'cloudformation.amazonaws.com',
        },
      );
      add(
        actor,
        'Denied',
        'create an IAM user',
        'iam:CreateUser',
        `arn:${env.partition}:iam::${accountId}:user/backdoor`,
      );
      add(
        actor,
        'Denied',
        'create an access key',
        'iam:CreateAccessKey',
        `arn:${env.partition}:iam::${accountId}:user/backdoor`,
      );
      add(
        actor,
        'Denied',
        'create an OIDC provider',
        'iam:CreateOpenIDConnectProvider',
        `arn:${env.partition}:iam::${accountId}:oidc-provider/attacker.example`,
      );
    }

    const everyday = cfnExecutionRole;
    add(
      everyday,
      'Denied',
      'create a role with the boundary (a new trust policy)',
      'iam:CreateRole',
      newRole,
      withBoundary,
    );
    add(
      everyday,
      'Denied',
      `create a role trusting account ${FOREIGN_ACCOUNT}`,
      'iam:CreateRole',
      newRole,
      withBoundary,
    );
    add(
      everyday,
      'Denied',
      "edit the trust of the account's cross-account role",
      'iam:UpdateAssumeRolePolicy',
      appRole,
    );
    add(everyday, 'Allowed', 'delete an app role (denial of service, not escalation)', 'iam:DeleteRole', appRole);
    add(
      everyday,
      'Allowed',
      "edit an app role's inline policy, within the boundary",
      'iam:PutRolePolicy',
      appRole,
      withBoundary,
    );
    // Residual, by design of the everyday path: an app role can be passed to a new function, task definition or
    // state machine; what keeps that from running attacker code with the role is that nothing can start them.
    for (const service of ['lambda', 'ecs-tasks', 'states'])
      add(everyday, 'Allowed', `pass an app role to a new ${service} resource`, 'iam:PassRole', appRole, {
        'iam:PassedToService': `${service}.amazonaws.com`,
      });
    const fn = `arn:${env.partition}:lambda:${env.region}:${accountId}:function:${resourceName(env, 'backdoor')}`;
    add(everyday, 'Denied', 'invoke a function it created', 'lambda:InvokeFunction', fn);
    add(everyday, 'Denied', 'let anyone invoke a function it created', 'lambda:AddPermission', fn);
    add(everyday, 'Denied', 'wire a trigger to a function it created', 'lambda:CreateEventSourceMapping', '*');
    add(everyday, 'Denied', 'expose a function it created with a URL', 'lambda:CreateFunctionUrlConfig', fn);
    add(
      everyday,
      'Denied',
      'schedule a function it created',
      'events:PutTargets',
      `arn:${env.partition}:events:${env.region}:${accountId}:rule/backdoor`,
    );
    add(
      everyday,
      'Denied',
      'start a state machine it created',
      'states:StartExecution',
      `arn:${env.partition}:states:${env.region}:${accountId}:stateMachine:backdoor`,
    );
    add(
      everyday,
      'Denied',
      'run an ECS task',
      'ecs:RunTask',
      `arn:${env.partition}:ecs:${env.region}:${accountId}:task-definition/backdoor:1`,
    );
    add(
      everyday,
      'Denied',
      'create an ECS service',
      'ecs:CreateService',
      `arn:${env.partition}:ecs:${env.region}:${accountId}:service/backdoor/backdoor`,
    );
    const ec2 = (type: string) => `arn:${env.partition}:ec2:${env.region}:${accountId}:${type}/backdoor`;
    add(everyday, 'Denied', 'change a VPC endpoint policy', 'ec2:ModifyVpcEndpoint', ec2('vpc-endpoint'));
    add(everyday, 'Denied', 'create a VPC endpoint (it brings a policy)', 'ec2:CreateVpcEndpoint', ec2('vpc-endpoint'));
    add(everyday, 'Denied', 'open a security group', 'ec2:AuthorizeSecurityGroupEgress', ec2('security-group'));
    add(
      everyday,
      'Denied',
      'create a security group (it allows all egress)',
      'ec2:CreateSecurityGroup',
      ec2('security-group'),
    );
    add(everyday, 'Denied', 'add a route', 'ec2:CreateRoute', ec2('route-table'));
    add(everyday, 'Denied', 'allow a name through the DNS firewall', 'route53resolver:UpdateFirewallRule', '*');
    add(everyday, 'Denied', 'remove a DNS firewall rule', 'route53resolver:DeleteFirewallRule', '*');
    // A rule group that allows everything (this account's, or one shared with it), associated ahead of the VPC's.
    add(
      everyday,
      'Denied',
      "put another DNS firewall rule group in front of the VPC's",
      'route53resolver:AssociateFirewallRuleGroup',
      '*',
    );
    add(
      everyday,
      'Denied',
      'detach the DNS firewall from the VPC',
      'route53resolver:DisassociateFirewallRuleGroup',
      '*',
    );
    add(everyday, 'Denied', 'change the data bucket policy', 's3:PutBucketPolicy', dataBucketArn(env));
    add(everyday, 'Denied', 'delete the data bucket policy', 's3:DeleteBucketPolicy', dataBucketArn(env));
    add(everyday, 'Denied', 'grant through a bucket ACL', 's3:PutBucketAcl', dataBucketArn(env));
    add(everyday, 'Denied', 'turn bucket ACLs back on', 's3:PutBucketOwnershipControls', dataBucketArn(env));
    const key = `arn:${env.partition}:kms:${env.region}:${accountId}:key/backdoor`;
    add(everyday, 'Denied', 'change a key policy', 'kms:PutKeyPolicy', key);
    add(everyday, 'Denied', `grant account ${FOREIGN_ACCOUNT} the key`, 'kms:CreateGrant', key, {
      'kms:GranteePrincipal': `arn:${env.partition}:iam::${FOREIGN_ACCOUNT}:root`,
    });
    add(everyday, 'Allowed', 'let a service use the key for a resource it creates', 'kms:CreateGrant', key, {
      'kms:GrantIsForAWSResource': 'true',
    });
    add(
      everyday,
      'Denied',
      'change a repository policy',
      'ecr:SetRepositoryPolicy',
      `arn:${env.partition}:ecr:${env.region}:${accountId}:repository/backdoor`,
    );

    add(
      deploy,
      'Allowed',
      'assume the CDK deploy role (the everyday door)',
      'sts:AssumeRole',
      roleArn(`cdk-${CDK_BOOTSTRAP_QUALIFIER}-deploy-role-${accountId}-${env.region}`),
    );
    add(deploy, 'Denied', 'assume the broadening deploy role', 'sts:AssumeRole', broadeningDeployRoleArn(env, account));
    add(
      deploy,
      'Denied',
      'assume the broadening execution role',
      'sts:AssumeRole',
      broadeningExecutionRoleArn(env, account),
    );
    add(deploy, 'Denied', "assume the account's cross-account role", 'sts:AssumeRole', appRole);
    add(deploy, 'Denied', 'put an inline policy on itself', 'iam:PutRolePolicy', deployRole.arn, withBoundary);
    add(
      deploy,
      'Denied',
      'pass the broadening execution role to CloudFormation',
      'iam:PassRole',
      broadeningExecutionRoleArn(env, account),
      {
        'iam:PassedToService': 'cloudformation.amazonaws.com',
      },
    );
    add(
      deploy,
      'Denied',
      'create an access key',
      'iam:CreateAccessKey',
      `arn:${env.partition}:iam::${accountId}:user/backdoor`,
    );

    add(
      broadeningDeploy,
      'Allowed',
      'pass the broadening execution role to CloudFormation (the reviewed path)',
      'iam:PassRole',
      broadeningExecutionRoleArn(env, account),
      {
        'iam:PassedToService': 'cloudformation.amazonaws.com',
      },
    );
    add(
      broadeningDeploy,
      'Denied',
      'pass the broadening execution role to Lambda',
      'iam:PassRole',
      broadeningExecutionRoleArn(env, account),
      {
        'iam:PassedToService': 'lambda.amazonaws.com',
      },
    );
    if (killSwitchRole) {
      const killSwitch = { 'iam:PolicyARN': killSwitchPolicyArn(env, account) };
      add(onCall, 'Allowed', 'create the kill-switch policy', 'iam:CreatePolicy', killSwitchPolicyArn(env, account));
      add(onCall, 'Allowed', 'turn the kill switch on', 'iam:AttachRolePolicy', killSwitchRole, killSwitch);
      add(onCall, 'Allowed', 'turn the kill switch off', 'iam:DetachRolePolicy', killSwitchRole, killSwitch);
      for (const actor of [cfnExecutionRole, deploy, broadeningExecution])
        add(actor, 'Denied', 'turn the kill switch off', 'iam:DetachRolePolicy', killSwitchRole, {
          ...withBoundary,
          ...killSwitch,
        });
    }
    add(
      broadeningExecution,
      'Allowed',
      "change the trust of the account's own role (the reviewed path)",
      'iam:UpdateAssumeRolePolicy',
      appRole,
    );
    add(
      broadeningExecution,
      'Allowed',
      'create a role with the boundary (the reviewed path)',
      'iam:CreateRole',
      newRole,
      withBoundary,
    );
  }
  return cases;
}

/** Runs every case through the IAM simulator and names the statement that decides it. */
export async function escalationMatrix(surface: TrustSurface): Promise<EscalationRow[]> {
  const rows: EscalationRow[] = [];
  for (const c of escalationCases(surface)) {
    const { allowed, decidedBy } = await decide(c);
    const actual: Verdict = allowed ? 'Allowed' : 'Denied';
    rows.push({
      hop: `${c.actor.name} (${c.account})`,
      case: c.attack,
      principal: c.actor.arn,
      action: c.action,
      resource: c.resource,
      expected: c.expected,
      actual: `${actual}: ${decidedBy}`,
      passed: actual === c.expected,
      decidedBy,
    });
  }
  return rows;
}

const ALLOW_ALL: Statement = { Effect: 'Allow', Action: '*', Resource: '*' };

/**
 * The simulator's wrapper reports one verdict; to say which statement decides, each statement is asked alone: an
 * explicit Deny decides whenever it denies on its own; otherwise the first Allow that allows on its own. The
 * boundary is a second gate with the same semantics (an Allow is needed in both; a Deny in either decides).
 */
async function decide(c: EscalationCase): Promise<{ allowed: boolean; decidedBy: string }> {
  const gates = [{ kind: 'identity policy', policies: c.actor.identity }];
  if (c.actor.boundary) gates.push({ kind: 'boundary', policies: [c.actor.boundary] });
  const ask = async (statements: readonly Statement[]) => {
    const result = await simulateRequest({
      principal: c.actor.arn,
      identityPolicies: [{ Version: '2012-10-17', Statement: statements }],
      action: c.action,
      resource: c.resource,
      // Every resource attacked is in the actor's account (an S3 or `*` resource names none).
      resourceAccount: accountOfArn(c.actor.arn) ?? '',
      ...(c.context ? { context: c.context } : {}),
      ...(c.resourcePolicy ? { resourcePolicy: c.resourcePolicy } : {}),
    });
    if (result.kind === 'error') throw new Error(`escalation case "${c.attack}": simulator error ${result.errors}`);
    return result.allowed;
  };
  const label = (policy: NamedPolicy, statement: Statement, i: number) => `${policy.name}#${statement.Sid ?? i}`;
  if (!(await ask([ALLOW_ALL]))) return { allowed: false, decidedBy: "Denied by the resource's own policy" };

  for (const { policies } of gates)
    for (const policy of policies)
      for (const [i, statement] of policy.document.Statement.entries())
        if (statement.Effect === 'Deny' && !(await ask([ALLOW_ALL, statement])))
          return { allowed: false, decidedBy: `Denied by ${label(policy, statement, i)}` };

  const allowers: string[] = [];
  for (const { kind, policies } of gates) {
    let allower: string | undefined;
    for (const policy of policies)
      for (const [i, statement] of policy.document.Statement.entries())
        if (allower === undefined && statement.Effect === 'Allow' && (await ask([statement])))
          allower = label(policy, statement, i);
    if (allower === undefined) return { allowed: false, decidedBy: `Denied: no statement of the ${kind} allows it` };
    allowers.push(allower);
  }
  return { allowed: true, decidedBy: `Allowed by ${allowers.join(' within ')}` };
}
