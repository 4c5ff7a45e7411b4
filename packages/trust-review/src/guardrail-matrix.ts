import {
  analysisStateMachineArn,
  broadeningExecutionRoleArn,
  cdkCloudFormationExecutionRoleArn,
  dataBucketArn,
  deployRoleArn,
  orchestratorRoleArn,
  resultReportKey,
  runInputKey,
  runsTableArn,
} from '@airlock/contracts';
import { ACCOUNT_ROLES, type AccountRole, type AirlockEnvironment } from '@airlock/shared/environment';
import type { Guardrail } from '@airlock/shared/organization-guardrails';
import {
  ALLOW_EVERYTHING,
  type OrganizationPolicies,
  type PolicyDocument,
  type Statement,
  type TrustSurface,
} from '@airlock/cloud-assembly';
import { dataBucketPolicy, type SimulationRow, type Verdict } from './simulation-matrix.js';
import { withAndWithout, type DefendedCase } from './with-and-without.js';
import { FOREIGN_ACCOUNT } from './simulated-principals.js';

/** The guardrails as AWS applies them: each SCP to its account's principals, the RCP to its account's resources. */
export function organizationPoliciesOf(
  env: AirlockEnvironment,
  guardrails: readonly Guardrail[],
): OrganizationPolicies {
  const byAccount = (kind: Guardrail['kind']) =>
    Object.fromEntries(
      ACCOUNT_ROLES.map((account) => [
        env.accounts[account],
        guardrails
          .filter((g) => g.kind === kind && g.account === account)
          .map((g) => g.document as unknown as PolicyDocument),
      ]),
    );
  return {
    id: env.organization.id,
    memberAccounts: Object.values(env.accounts),
    serviceControlPolicies: byAccount('SCP'),
    resourceControlPolicies: byAccount('RCP'),
  };
}

interface GuardrailCase extends DefendedCase {
  /**
   * The verdict the same request gets without the guardrails, where the case proves that the guardrail decides (a
   * stack made wrong on purpose would let it through); without it, the row only proves the guardrail holds.
   */
  readonly withoutGuardrails?: Verdict;
}

/** A resource policy as a wrong stack might write it: the synthesized one plus a grant it should never have. */
const withMistake = (policy: PolicyDocument | undefined, grant: Statement): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [...(policy?.Statement ?? []), grant],
});

/**
 * The organization guardrails in the simulation: each statement family denies what it promises to anyone, a role
 * of the account allowed everything included, and lets the pipeline (the CloudFormation execution roles) and the
 * runs themselves through. Where a stack is wrong on purpose (a grant a bucket, table or key policy must never hold),
 * the row also shows that without the guardrails the request would pass, so the guardrail is what stops it. Every
 * role of the sandbox and orchestrator accounts, with its own policies as synthesized, is also denied the data.
 */
export async function guardrailMatrix(
  surface: TrustSurface,
  guardrails: readonly Guardrail[],
): Promise<SimulationRow[]> {
  const organization = organizationPoliciesOf(surface.env, guardrails);
  const rows: SimulationRow[] = [];
  for (const c of guardrailCases(surface))
    rows.push(
      await withAndWithout(c, {
        name: 'the guardrails',
        defend: (request) => ({ ...request, organization }),
        control: c.withoutGuardrails,
      }),
    );
  return rows;
}

export function guardrailCases(surface: TrustSurface): GuardrailCase[] {
  const env = surface.env;
  const arn = (account: AccountRole, service: string, resource: string, region = env.region) =>
    `arn:${env.partition}:${service}:${region}:${env.accounts[account]}:${resource}`;
  const iam = (account: AccountRole, resource: string) =>
    `arn:${env.partition}:iam::${env.accounts[account]}:${resource}`;
  const role = (account: AccountRole, name: string) => iam(account, `role/${name}`);
  const administrator = (account: AccountRole) => role(account, 'administrator');
  const cases: GuardrailCase[] = [];

  // Sandbox account: what its administrator (allowed everything by IAM) cannot do, and what its pipeline can.
  const sandbox = (
    what: string,
    action: string,
    resource: string,
    principal = administrator('sandbox'),
    expected: Verdict = 'Denied',
  ) =>
    cases.push({
      hop: 'sandbox-account SCP',
      case: what,
      principal,
      identity: [ALLOW_EVERYTHING],
      action,
      resource,
      resourceAccount: env.accounts.sandbox,
      expected,
      withoutGuardrails: 'Allowed',
    });
  const ec2 = (type: string) => arn('sandbox', 'ec2', `${type}/new`);
  sandbox('an administrator creates an internet gateway', 'ec2:CreateInternetGateway', ec2('internet-gateway'));
  sandbox(
    'the pipeline creates an internet gateway (no exception)',
    'ec2:CreateInternetGateway',
    ec2('internet-gateway'),
    cdkCloudFormationExecutionRoleArn(env, 'sandbox'),
  );
  sandbox('an administrator creates a NAT gateway', 'ec2:CreateNatGateway', ec2('natgateway'));
  sandbox(
    'an administrator creates an egress-only internet gateway',
    'ec2:CreateEgressOnlyInternetGateway',
    ec2('egress-only-internet-gateway'),
  );
  sandbox('an administrator peers the VPC', 'ec2:CreateVpcPeeringConnection', ec2('vpc-peering-connection'));
  sandbox(
    'an administrator attaches the VPC to a transit gateway',
    'ec2:CreateTransitGatewayVpcAttachment',
    ec2('transit-gateway-attachment'),
  );
  sandbox('an administrator creates a default VPC', 'ec2:CreateDefaultVpc', '*');
  sandbox('an administrator creates an IAM user', 'iam:CreateUser', iam('sandbox', 'user/backdoor'));
  sandbox('an administrator creates an access key', 'iam:CreateAccessKey', iam('sandbox', 'user/backdoor'));
  sandbox('an administrator deletes the flow logs', 'ec2:DeleteFlowLogs', ec2('vpc-flow-log'));
  sandbox(
    'an administrator detaches the DNS firewall',
    'route53resolver:DisassociateFirewallRuleGroup',
    arn('sandbox', 'route53resolver', 'firewall-rule-group-association/any'),
  );
  sandbox(
    'an administrator puts another rule group in front of the DNS firewall',
    'route53resolver:AssociateFirewallRuleGroup',
    arn('sandbox', 'route53resolver', 'firewall-rule-group-association/new'),
  );
  const resolver = (resource: string) => arn('sandbox', 'route53resolver', resource);
  sandbox(
    'an administrator adds a domain to the DNS firewall allowed list (a DNS channel out)',
    'route53resolver:UpdateFirewallDomains',
    resolver('firewall-domain-list/allowed'),
  );
  sandbox(
    'an administrator imports domains into the DNS firewall allowed list',
    'route53resolver:ImportFirewallDomains',
    resolver('firewall-domain-list/allowed'),
  );
  sandbox(
    'an administrator turns the DNS firewall BLOCK rule into ALLOW',
    'route53resolver:UpdateFirewallRule',
    resolver('firewall-rule-group/airlock'),
  );
  sandbox(
    'an administrator adds an ALLOW-everything rule ahead of the BLOCK rule',
    'route53resolver:CreateFirewallRule',
    resolver('firewall-rule-group/airlock'),
  );
  sandbox(
    'an administrator deletes the DNS firewall BLOCK rule',
    'route53resolver:DeleteFirewallRule',
    resolver('firewall-rule-group/airlock'),
  );
  sandbox(
    'the pipeline edits the DNS firewall allowed list',
    'route53resolver:UpdateFirewallDomains',
    resolver('firewall-domain-list/allowed'),
    cdkCloudFormationExecutionRoleArn(env, 'sandbox'),
    'Allowed',
  );
  sandbox('an administrator creates a Client VPN endpoint', 'ec2:CreateClientVpnEndpoint', ec2('client-vpn-endpoint'));
  sandbox(
    'an administrator creates an EC2 Instance Connect endpoint',
    'ec2:CreateInstanceConnectEndpoint',
    ec2('instance-connect-endpoint'),
  );
  sandbox(
    'an administrator offers an endpoint service to other accounts',
    'ec2:CreateVpcEndpointServiceConfiguration',
    ec2('vpc-endpoint-service'),
  );
  sandbox(
    'an administrator joins the VPC to a VPC Lattice service network',
    'vpc-lattice:CreateServiceNetworkVpcAssociation',
    arn('sandbox', 'vpc-lattice', 'servicenetwork/sn-shared'),
  );
  sandbox(
    'an administrator attaches the VPC to a Cloud WAN core network',
    'networkmanager:CreateVpcAttachment',
    arn('sandbox', 'networkmanager', 'core-network/core-network-new', ''),
  );
  const logGroup = arn('sandbox', 'logs', 'log-group:flow-logs');
  sandbox("an administrator deletes the flow logs' log group", 'logs:DeleteLogGroup', logGroup);
  sandbox("an administrator shortens the flow logs' retention", 'logs:PutRetentionPolicy', logGroup);
  // KMS needs its key policy to let the account in (the default key policy does), or nothing passes anyway.
  const logsKey = arn('sandbox', 'kms', 'key/logs');
  cases.push({
    hop: 'sandbox-account SCP',
    case: "an administrator schedules the flow logs' key for deletion",
    principal: administrator('sandbox'),
    identity: [ALLOW_EVERYTHING],
    action: 'kms:ScheduleKeyDeletion',
    resource: logsKey,
    resourceAccount: env.accounts.sandbox,
    resourcePolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: iam('sandbox', 'root') }, Action: 'kms:*', Resource: '*' }],
    },
    expected: 'Denied',
    withoutGuardrails: 'Allowed',
  });
  sandbox(
    "the pipeline sets the flow logs' retention",
    'logs:PutRetentionPolicy',
    logGroup,
    cdkCloudFormationExecutionRoleArn(env, 'sandbox'),
    'Allowed',
  );
  sandbox('an administrator creates a VPC', 'ec2:CreateVpc', ec2('vpc'));
  sandbox(
    'an administrator creates a VPC endpoint (the data bucket admits its requests)',
    'ec2:CreateVpcEndpoint',
    ec2('vpc-endpoint'),
  );
  sandbox(
    'the OIDC deploy role, even allowed everything, creates a VPC endpoint',
    'ec2:CreateVpcEndpoint',
    ec2('vpc-endpoint'),
    deployRoleArn(env, 'sandbox'),
  );
  for (const pipeline of [
    cdkCloudFormationExecutionRoleArn(env, 'sandbox'),
    broadeningExecutionRoleArn(env, 'sandbox'),
  ])
    sandbox(
      `the pipeline (${pipeline.split('/').pop()}) creates a VPC endpoint`,
      'ec2:CreateVpcEndpoint',
      ec2('vpc-endpoint'),
      pipeline,
      'Allowed',
    );
  sandbox('an administrator tests a state with a role of its choice', 'states:TestState', '*');
  sandbox('an administrator takes the account out of the organization', 'organizations:LeaveOrganization', '*');

  // Orchestrator account: the analysis workflow and its role change only through CloudFormation.
  const workflow = analysisStateMachineArn(env);
  const executionRole = orchestratorRoleArn(env);
  const orchestrator = (
    what: string,
    action: string,
    resource: string,
    { principal = administrator('orchestrator'), expected = 'Denied' as Verdict, context = {} } = {},
  ) =>
    cases.push({
      hop: 'orchestrator-account SCP',
      case: what,
      principal,
      identity: [ALLOW_EVERYTHING],
      action,
      resource,
      resourceAccount: env.accounts.orchestrator,
      context,
      expected,
      withoutGuardrails: 'Allowed',
    });
  orchestrator('an administrator updates the analysis workflow', 'states:UpdateStateMachine', workflow);
  orchestrator('the OIDC deploy role, even allowed everything, updates it', 'states:UpdateStateMachine', workflow, {
    principal: deployRoleArn(env, 'orchestrator'),
  });
  orchestrator(
    'an administrator deletes it (to recreate it under the same name)',
    'states:DeleteStateMachine',
    workflow,
  );
  orchestrator('an administrator creates it again under the same name', 'states:CreateStateMachine', workflow);
  orchestrator('an administrator publishes a version', 'states:PublishStateMachineVersion', workflow);
  orchestrator('an administrator creates an alias', 'states:CreateStateMachineAlias', workflow);
  orchestrator(
    'an administrator starts a version (qualifier on the unqualified ARN)',
    'states:StartExecution',
    workflow,
    {
      context: { 'states:StateMachineQualifier': '1' },
    },
  );
  orchestrator('an administrator starts an alias (qualified ARN)', 'states:StartExecution', `${workflow}:live`);
  orchestrator("an administrator edits the execution role's trust", 'iam:UpdateAssumeRolePolicy', executionRole);
  orchestrator('an administrator puts a policy on the execution role', 'iam:PutRolePolicy', executionRole);
  orchestrator('an administrator deletes the execution role (to recreate it)', 'iam:DeleteRole', executionRole);
  orchestrator('an administrator creates the execution role again', 'iam:CreateRole', executionRole);
  orchestrator('an administrator passes the execution role to a new workflow', 'iam:PassRole', executionRole, {
    context: { 'iam:PassedToService': 'states.amazonaws.com' },
  });
  orchestrator('an administrator tests a state with the execution role', 'states:TestState', '*');
  orchestrator('an administrator takes the account out of the organization', 'organizations:LeaveOrganization', '*');
  const everyday = {
    principal: cdkCloudFormationExecutionRoleArn(env, 'orchestrator'),
    expected: 'Allowed' as Verdict,
  };
  orchestrator(
    'the pipeline (CloudFormation) updates the analysis workflow',
    'states:UpdateStateMachine',
    workflow,
    everyday,
  );
  orchestrator("the pipeline edits the execution role's policy", 'iam:PutRolePolicy', executionRole, everyday);
  orchestrator('the pipeline passes the execution role to the workflow', 'iam:PassRole', executionRole, {
    ...everyday,
    context: { 'iam:PassedToService': 'states.amazonaws.com' },
  });
  orchestrator(
    "the reviewer-approved pipeline edits the execution role's trust",
    'iam:UpdateAssumeRolePolicy',
    executionRole,
    {
      principal: broadeningExecutionRoleArn(env, 'orchestrator'),
      expected: 'Allowed',
    },
  );
  orchestrator('an administrator starts a run of the workflow itself', 'states:StartExecution', workflow, {
    expected: 'Allowed',
  });

  // Data account: its bucket, table and key refuse what a wrong policy would let through.
  const bucketPolicy = dataBucketPolicy(surface);
  const keyPolicy = surface.resourcePolicies.find((p) => p.account === 'data' && p.type === 'AWS::KMS::Key')?.policy;
  const runObject = `${dataBucketArn(env)}/${runInputKey('any-run')}`;
  const dataKey = arn('data', 'kms', 'key/any');
  const grant = (principal: Statement['Principal'], action: string, resource: string): Statement => ({
    Effect: 'Allow',
    Principal: principal,
    Action: action,
    Resource: resource,
  });
  const rootOf = (account: string) => ({ AWS: `arn:${env.partition}:iam::${account}:root` });
  const data = (what: string, c: Omit<GuardrailCase, 'hop' | 'case' | 'resourceAccount'>) =>
    cases.push({ hop: 'data-account RCP', case: what, resourceAccount: env.accounts.data, ...c });
  for (const [who, account] of [
    [`a role of foreign account ${FOREIGN_ACCOUNT}`, FOREIGN_ACCOUNT],
    ['a sandbox role', env.accounts.sandbox],
    ['an orchestrator role', env.accounts.orchestrator],
  ] as const) {
    const principal = `arn:${env.partition}:iam::${account}:role/mistaken`;
    data(`${who} given s3:* by mistake, the bucket policy granting its account by mistake, reads a run object`, {
      principal,
      identity: [ALLOW_EVERYTHING],
      action: 's3:GetObject',
      resource: runObject,
      resourcePolicy: withMistake(bucketPolicy, grant(rootOf(account), 's3:*', `${dataBucketArn(env)}/*`)),
      expected: 'Denied',
      withoutGuardrails: 'Allowed',
    });
  }
  data('a foreign role, a table policy granting its account by mistake, reads a run record', {
    principal: `arn:${env.partition}:iam::${FOREIGN_ACCOUNT}:role/mistaken`,
    identity: [ALLOW_EVERYTHING],
    action: 'dynamodb:GetItem',
    resource: runsTableArn(env),
    resourcePolicy: withMistake(undefined, grant(rootOf(FOREIGN_ACCOUNT), 'dynamodb:*', runsTableArn(env))),
    expected: 'Denied',
    withoutGuardrails: 'Allowed',
  });
  data('a sandbox role, the key policy granting its account by mistake, decrypts with the data key', {
    principal: `arn:${env.partition}:iam::${env.accounts.sandbox}:role/mistaken`,
    identity: [ALLOW_EVERYTHING],
    action: 'kms:Decrypt',
    resource: dataKey,
    resourcePolicy: withMistake(keyPolicy, grant(rootOf(env.accounts.sandbox), 'kms:*', '*')),
    expected: 'Denied',
    withoutGuardrails: 'Allowed',
  });
  const service = 'cloudtrail.amazonaws.com';
  const serviceGrant = withMistake(
    bucketPolicy,
    grant({ Service: service }, 's3:PutObject', `${dataBucketArn(env)}/*`),
  );
  const serviceCase = (what: string, context: Record<string, string>, expected: Verdict) =>
    data(what, {
      principal: service,
      identity: [],
      action: 's3:PutObject',
      resource: runObject,
      resourcePolicy: serviceGrant,
      context,
      expected,
      withoutGuardrails: 'Allowed',
    });
  serviceCase(
    `${service}, granted by the bucket policy without a source, writing for foreign account ${FOREIGN_ACCOUNT}`,
    { 'aws:SourceAccount': FOREIGN_ACCOUNT },
    'Denied',
  );
  serviceCase(`${service} writing for the data account`, { 'aws:SourceAccount': env.accounts.data }, 'Allowed');
  serviceCase(`${service} acting as itself (no aws:SourceAccount): not locked out`, {}, 'Allowed');
  data('an administrator of the data account reads a result', {
    principal: administrator('data'),
    identity: [ALLOW_EVERYTHING],
    action: 's3:GetObject',
    resource: `${dataBucketArn(env)}/${resultReportKey('any-run')}`,
    ...(bucketPolicy ? { resourcePolicy: bucketPolicy } : {}),
    expected: 'Allowed',
  });

  cases.push({
    hop: 'data-account SCP',
    case: 'an administrator takes the data account out of the organization (and from under its RCP)',
    principal: administrator('data'),
    identity: [ALLOW_EVERYTHING],
    action: 'organizations:LeaveOrganization',
    resource: '*',
    resourceAccount: env.accounts.data,
    expected: 'Denied',
    withoutGuardrails: 'Allowed',
  });

  // Every role of the other two accounts, as synthesized: denied the data, whatever its stack says.
  for (const r of surface.roles.filter((r) => r.account !== 'data'))
    data(`${r.name} (${r.account}), with its own policies, reads a run object`, {
      principal: r.arn,
      identity: r.permissions.map((p) => p.document),
      action: 's3:GetObject',
      resource: runObject,
      ...(bucketPolicy ? { resourcePolicy: bucketPolicy } : {}),
      expected: 'Denied',
    });
  return cases;
}
