// The organization guardrails (I9), generated from an environment: service control policies for the three accounts
// and a resource control policy for the data account, which a management-account administrator attaches. They hold
// even when a stack is wrong: what they deny, no role, bucket policy or key policy of the accounts can allow.
import {
  analysisStateMachineArn,
  broadeningExecutionRoleArn,
  cdkCloudFormationExecutionRoleArn,
  dataBucketArn,
  orchestratorRoleArn,
  runsTableArn,
} from '@airlock/contracts';
import type { AccountRole, AirlockEnvironment } from './config/environment-schema.js';

/** Organizations counts every character of a policy document against this limit, whitespace included. */
export const ORGANIZATION_POLICY_MAX_CHARACTERS = 5120;

export interface GuardrailStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  /** RCPs require `"*"`; SCPs have no principal (they apply to the account's own principals). */
  readonly Principal?: '*';
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface Guardrail {
  /** The policy's name in Organizations, and its file's base name. */
  readonly name: string;
  readonly kind: 'SCP' | 'RCP';
  /** The account it is attached to. */
  readonly account: AccountRole;
  readonly description: string;
  readonly document: { readonly Version: '2012-10-17'; readonly Statement: readonly GuardrailStatement[] };
}

/** The policy as Organizations stores it: no whitespace, so its size is what counts against the limit. */
export const guardrailText = (guardrail: Guardrail): string => JSON.stringify(guardrail.document);

const deny = (
  Sid: string,
  Action: readonly string[],
  Resource: string | readonly string[],
  Condition?: GuardrailStatement['Condition'],
): GuardrailStatement => ({ Sid, Effect: 'Deny', Action, Resource, ...(Condition ? { Condition } : {}) });

/**
 * The two roles CloudFormation acts as when it deploys the account's stack (everyday and reviewer-approved): they
 * make the changes, so they are the exception, not the OIDC deploy roles that only ask CloudFormation for them.
 */
const unlessThePipeline = (env: AirlockEnvironment, account: AccountRole) => ({
  ArnNotEquals: {
    'aws:PrincipalArn': [cdkCloudFormationExecutionRoleArn(env, account), broadeningExecutionRoleArn(env, account)],
  },
});

// Leaving the organization would shed every guardrail at once.
const denyLeavingTheOrganization = deny('DenyLeavingTheOrganization', ['organizations:LeaveOrganization'], '*');
// TestState runs one state, its task included, with whatever role the caller passes: a workflow outside the
// reviewed definitions (in the sandbox account, a RunTask with any network, revision or task role).
const denyTestState = deny('DenyTestState', ['states:TestState'], '*');

/** No path to the internet or another network, no IAM users, flow logs and the DNS firewall stay (I4, I9). */
function sandboxScp(env: AirlockEnvironment): Guardrail {
  return {
    name: `${env.prefix}-${env.environment}-sandbox-scp`,
    kind: 'SCP',
    account: 'sandbox',
    description:
      'Airlock sandbox account: no internet, peering, transit, default VPC, IAM users; logs and DNS firewall stay',
    document: {
      Version: '2012-10-17',
      Statement: [
        deny(
          'DenyInternetGateways',
          [
            'ec2:CreateInternetGateway',
            'ec2:AttachInternetGateway',
            'ec2:CreateNatGateway',
            'ec2:CreateEgressOnlyInternetGateway',
            'ec2:CreateCarrierGateway',
            'ec2:CreateVpnGateway',
            'ec2:AttachVpnGateway',
          ],
          '*',
        ),
        deny(
          'DenyPeeringAndTransit',
          [
            'ec2:CreateVpcPeeringConnection',
            'ec2:AcceptVpcPeeringConnection',
            'ec2:CreateTransitGatewayVpcAttachment',
            'ec2:AcceptTransitGatewayVpcAttachment',
          ],
          '*',
        ),
        // Other ways a connection crosses the VPC's edge without a gateway: a Client VPN or an EC2 Instance Connect
        // endpoint (remote clients reach any private address), an endpoint service (another account's endpoint
        // reaches a load balancer here), VPC Lattice (service networks shared from anywhere), a Cloud WAN attachment.
        deny(
          'DenyOtherPathsAcrossTheEdge',
          [
            'ec2:CreateClientVpnEndpoint',
            'ec2:CreateInstanceConnectEndpoint',
            'ec2:CreateVpcEndpointServiceConfiguration',
            'vpc-lattice:Create*',
            'networkmanager:CreateVpcAttachment',
          ],
          '*',
        ),
        deny('DenyDefaultVpc', ['ec2:CreateDefaultVpc', 'ec2:CreateDefaultSubnet'], '*'),
        deny('DenyIamUsersAndAccessKeys', ['iam:CreateUser', 'iam:CreateAccessKey'], '*'),
        // No exception, the pipeline included: replacing the flow log or the association is a break-glass change.
        deny('DenyDeletingFlowLogs', ['ec2:DeleteFlowLogs'], '*'),
        deny('DenyDisassociatingTheDnsFirewall', ['route53resolver:DisassociateFirewallRuleGroup'], '*'),
        // Deleting the flow logs' log group (the flow log stays, its records go), shortening its retention, or
        // disabling the key it is encrypted with ends the record as surely as deleting the flow log.
        deny(
          'DenyEndingTheFlowLogRecordOutsideThePipeline',
          [
            'logs:DeleteLogGroup',
            'logs:DeleteLogStream',
            'logs:PutRetentionPolicy',
            'logs:DisassociateKmsKey',
            'kms:DisableKey',
            'kms:ScheduleKeyDeletion',
          ],
          '*',
          unlessThePipeline(env, 'sandbox'),
        ),
        // The data bucket admits presigned requests through any endpoint the sandbox account owns (aws:VpceAccount):
        // only its pipeline may create a VPC or an endpoint, change an endpoint's policy, put another rule group
        // (one that allows everything, at a higher priority) in front of the DNS firewall, or edit the firewall's
        // own rules and domain lists (one domain added to the allowed list is a DNS channel out).
        deny(
          'DenyNetworkChangesOutsideThePipeline',
          [
            'ec2:CreateVpc',
            'ec2:CreateVpcEndpoint',
            'ec2:ModifyVpcEndpoint',
            'route53resolver:AssociateFirewallRuleGroup',
            'route53resolver:UpdateFirewallRuleGroupAssociation',
            'route53resolver:CreateFirewallRule',
            'route53resolver:UpdateFirewallRule',
            'route53resolver:DeleteFirewallRule',
            'route53resolver:UpdateFirewallDomains',
            'route53resolver:ImportFirewallDomains',
            'route53resolver:UpdateFirewallConfig',
          ],
          '*',
          unlessThePipeline(env, 'sandbox'),
        ),
        denyTestState,
        denyLeavingTheOrganization,
      ],
    },
  };
}

/**
 * The analysis workflow and its execution role change only through CloudFormation. A rule bound to names cannot see
 * the workflow deleted and recreated under the same name, a version or alias published and started (its executions
 * run a definition no one reviewed, with the workflow's role), or TestState.
 */
function orchestratorScp(env: AirlockEnvironment): Guardrail {
  const workflow = analysisStateMachineArn(env);
  const versionsAndAliases = `${workflow}:*`;
  return {
    name: `${env.prefix}-${env.environment}-orchestrator-scp`,
    kind: 'SCP',
    account: 'orchestrator',
    description: 'Airlock orchestrator account: the analysis workflow and its role change only through CloudFormation',
    document: {
      Version: '2012-10-17',
      Statement: [
        deny(
          'DenyWorkflowChangesOutsideThePipeline',
          [
            'states:CreateStateMachine',
            'states:UpdateStateMachine',
            'states:DeleteStateMachine',
            'states:PublishStateMachineVersion',
            'states:DeleteStateMachineVersion',
            'states:CreateStateMachineAlias',
            'states:UpdateStateMachineAlias',
            'states:DeleteStateMachineAlias',
          ],
          [workflow, versionsAndAliases],
          unlessThePipeline(env, 'orchestrator'),
        ),
        deny(
          'DenyRoleChangesOutsideThePipeline',
          [
            'iam:CreateRole',
            'iam:DeleteRole',
            'iam:UpdateRole',
            'iam:UpdateAssumeRolePolicy',
            'iam:PutRolePolicy',
            'iam:DeleteRolePolicy',
            'iam:AttachRolePolicy',
            'iam:DetachRolePolicy',
            'iam:PutRolePermissionsBoundary',
            'iam:DeleteRolePermissionsBoundary',
            'iam:PassRole',
          ],
          orchestratorRoleArn(env),
          unlessThePipeline(env, 'orchestrator'),
        ),
        // Step Functions authorizes a version or alias on the unqualified ARN with a qualifier key, or on the
        // qualified ARN: both are denied, for everyone (Airlock runs the workflow unqualified only).
        deny(
          'DenyStartingVersionsOrAliases',
          ['states:StartExecution', 'states:StartSyncExecution'],
          versionsAndAliases,
        ),
        deny('DenyStartingByQualifier', ['states:StartExecution', 'states:StartSyncExecution'], workflow, {
          Null: { 'states:StateMachineQualifier': 'false' },
        }),
        denyTestState,
        denyLeavingTheOrganization,
      ],
    },
  };
}

function dataScp(env: AirlockEnvironment): Guardrail {
  return {
    name: `${env.prefix}-${env.environment}-data-scp`,
    kind: 'SCP',
    account: 'data',
    description: 'Airlock data account: stays in the organization, so its resource control policy stays',
    document: { Version: '2012-10-17', Statement: [denyLeavingTheOrganization] },
  };
}

/**
 * The data account's bucket, table and keys: principals of the organization only (and never the sandbox's or the
 * orchestrator's own: they reach data through the data account's roles), AWS services only for this account. The
 * conditions follow AWS's data-perimeter RCP examples, so AWS services acting as themselves are not locked out.
 */
function dataRcp(env: AirlockEnvironment): Guardrail {
  const resources = [
    dataBucketArn(env),
    `${dataBucketArn(env)}/*`,
    runsTableArn(env),
    `${runsTableArn(env)}/*`,
    `arn:${env.partition}:kms:${env.region}:${env.accounts.data}:key/*`,
  ];
  const actions = ['s3:*', 'dynamodb:*', 'kms:*'];
  const denyAll = (Sid: string, Condition: GuardrailStatement['Condition']): GuardrailStatement => ({
    Sid,
    Effect: 'Deny',
    Principal: '*',
    Action: actions,
    Resource: resources,
    Condition,
  });
  return {
    name: `${env.prefix}-${env.environment}-data-rcp`,
    kind: 'RCP',
    account: 'data',
    description: "Airlock data account: its bucket, table and keys only for the organization's principals",
    document: {
      Version: '2012-10-17',
      Statement: [
        // IfExists on purpose, in a Deny: a request without an organization ID (anonymous, another organization's
        // principal) is denied too; AWS services acting as themselves carry none and are let through by the Bool.
        denyAll('DenyPrincipalsOutsideTheOrganization', {
          StringNotEqualsIfExists: { 'aws:PrincipalOrgID': env.organization.id },
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
        }),
        denyAll('DenyTheSandboxAndOrchestratorAccounts', {
          StringEquals: { 'aws:PrincipalAccount': [env.accounts.sandbox, env.accounts.orchestrator] },
        }),
        // Only where the service says for whom it acts (aws:SourceAccount present): the rest act as themselves.
        denyAll('DenyServicesActingForAnotherAccount', {
          StringNotEqualsIfExists: { 'aws:SourceAccount': env.accounts.data },
          Null: { 'aws:SourceAccount': 'false' },
          Bool: { 'aws:PrincipalIsAWSService': 'true' },
        }),
      ],
    },
  };
}

/** Every guardrail of an environment, in the order the README lists them. */
export const organizationGuardrails = (env: AirlockEnvironment): Guardrail[] => [
  sandboxScp(env),
  orchestratorScp(env),
  dataScp(env),
  dataRcp(env),
];
