/**
 * What CloudFormation needs to create, update and delete each service's resources of the Airlock stacks, instead
 * of `<service>:*`: no data-plane actions (reading objects, items, secrets, running tasks, invoking functions).
 * Read-only globs (`Describe*`, `List*`) are kept where CloudFormation's handlers read many attributes.
 * Unverified until a real deploy: a missing action shows as an AccessDenied in the stack's events; add it here.
 */
export const CLOUDFORMATION_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  dynamodb: [
    'dynamodb:CreateTable',
    'dynamodb:UpdateTable',
    'dynamodb:DeleteTable',
    'dynamodb:Describe*',
    'dynamodb:List*',
    'dynamodb:UpdateContinuousBackups',
    'dynamodb:UpdateTimeToLive',
    'dynamodb:TagResource',
    'dynamodb:UntagResource',
  ],
  ec2: [
    'ec2:Describe*',
    'ec2:CreateVpc',
    'ec2:DeleteVpc',
    'ec2:ModifyVpcAttribute',
    'ec2:CreateSubnet',
    'ec2:DeleteSubnet',
    'ec2:ModifySubnetAttribute',
    'ec2:CreateRouteTable',
    'ec2:DeleteRouteTable',
    'ec2:AssociateRouteTable',
    'ec2:DisassociateRouteTable',
    'ec2:CreateRoute',
    'ec2:ReplaceRoute',
    'ec2:DeleteRoute',
    'ec2:CreateSecurityGroup',
    'ec2:DeleteSecurityGroup',
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:AuthorizeSecurityGroupEgress',
    'ec2:RevokeSecurityGroupIngress',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:ModifySecurityGroupRules',
    'ec2:CreateVpcEndpoint',
    'ec2:ModifyVpcEndpoint',
    'ec2:DeleteVpcEndpoints',
    'ec2:CreateFlowLogs',
    'ec2:DeleteFlowLogs',
    'ec2:CreateTags',
    'ec2:DeleteTags',
  ],
  ecr: [
    'ecr:CreateRepository',
    'ecr:DeleteRepository',
    'ecr:DescribeRepositories',
    'ecr:PutLifecyclePolicy',
    'ecr:GetLifecyclePolicy',
    'ecr:DeleteLifecyclePolicy',
    'ecr:PutImageScanningConfiguration',
    'ecr:PutImageTagMutability',
    'ecr:SetRepositoryPolicy',
    'ecr:GetRepositoryPolicy',
    'ecr:DeleteRepositoryPolicy',
    'ecr:TagResource',
    'ecr:UntagResource',
    'ecr:ListTagsForResource',
  ],
  ecs: [
    'ecs:CreateCluster',
    'ecs:UpdateCluster',
    'ecs:UpdateClusterSettings',
    'ecs:PutClusterCapacityProviders',
    'ecs:DeleteCluster',
    'ecs:DescribeClusters',
    'ecs:RegisterTaskDefinition',
    'ecs:DeregisterTaskDefinition',
    'ecs:DeleteTaskDefinitions',
    'ecs:DescribeTaskDefinition',
    'ecs:TagResource',
    'ecs:UntagResource',
    'ecs:ListTagsForResource',
  ],
  kms: [
    'kms:CreateKey',
    'kms:DescribeKey',
    'kms:GetKeyPolicy',
    'kms:PutKeyPolicy',
    'kms:EnableKeyRotation',
    'kms:GetKeyRotationStatus',
    'kms:UpdateKeyDescription',
    'kms:ScheduleKeyDeletion',
    'kms:CreateAlias',
    'kms:UpdateAlias',
    'kms:DeleteAlias',
    'kms:ListAliases',
    'kms:ListResourceTags',
    'kms:TagResource',
    'kms:UntagResource',
    // Creating a table, state machine or log group encrypted with the key is authorized as the caller.
    'kms:CreateGrant',
    'kms:Decrypt',
    'kms:GenerateDataKey',
  ],
  lambda: [
    'lambda:CreateFunction',
    'lambda:UpdateFunctionCode',
    'lambda:UpdateFunctionConfiguration',
    'lambda:DeleteFunction',
    'lambda:Get*',
    'lambda:List*',
    'lambda:PublishVersion',
    'lambda:PutFunctionConcurrency',
    'lambda:DeleteFunctionConcurrency',
    'lambda:PutRuntimeManagementConfig',
    'lambda:TagResource',
    'lambda:UntagResource',
  ],
  logs: [
    'logs:CreateLogGroup',
    'logs:DeleteLogGroup',
    'logs:DescribeLogGroups',
    'logs:PutRetentionPolicy',
    'logs:DeleteRetentionPolicy',
    'logs:AssociateKmsKey',
    'logs:DisassociateKmsKey',
    'logs:TagResource',
    'logs:UntagResource',
    'logs:ListTagsForResource',
    // Step Functions and VPC flow logs deliver through vended log deliveries created by the caller.
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
  ],
  route53resolver: [
    'route53resolver:CreateFirewallDomainList',
    'route53resolver:UpdateFirewallDomains',
    'route53resolver:DeleteFirewallDomainList',
    'route53resolver:CreateFirewallRuleGroup',
    'route53resolver:DeleteFirewallRuleGroup',
    'route53resolver:CreateFirewallRule',
    'route53resolver:UpdateFirewallRule',
    'route53resolver:DeleteFirewallRule',
    'route53resolver:AssociateFirewallRuleGroup',
    'route53resolver:UpdateFirewallRuleGroupAssociation',
    'route53resolver:DisassociateFirewallRuleGroup',
    'route53resolver:Get*',
    'route53resolver:List*',
    'route53resolver:TagResource',
    'route53resolver:UntagResource',
  ],
  s3: [
    's3:CreateBucket',
    's3:DeleteBucket',
    's3:ListBucket',
    's3:GetBucket*',
    's3:PutBucket*',
    's3:DeleteBucketPolicy',
    's3:GetEncryptionConfiguration',
    's3:PutEncryptionConfiguration',
    's3:GetLifecycleConfiguration',
    's3:PutLifecycleConfiguration',
  ],
  ssm: [
    'ssm:PutParameter',
    'ssm:DeleteParameter',
    'ssm:GetParameter',
    'ssm:GetParameters',
    'ssm:AddTagsToResource',
    'ssm:RemoveTagsFromResource',
    'ssm:ListTagsForResource',
  ],
  states: [
    'states:CreateStateMachine',
    'states:UpdateStateMachine',
    'states:DeleteStateMachine',
    'states:DescribeStateMachine',
    'states:ValidateStateMachineDefinition',
    'states:TagResource',
    'states:UntagResource',
    'states:ListTagsForResource',
  ],
};

/**
 * Changes the everyday deploy path may never make, whatever its template says: they open trust, the network or a
 * resource to other principals. Only the broadening execution role, passed only by the reviewer-gated broadening
 * deploy role, makes them.
 */
export const BROADENING_ACTIONS: readonly string[] = [
  // Trust policies: a new role brings a new trust policy.
  'iam:CreateRole',
  'iam:UpdateAssumeRolePolicy',
  // VPC endpoint policies (and new endpoints, which bring one).
  'ec2:CreateVpcEndpoint',
  'ec2:ModifyVpcEndpoint',
  // Security group rules (and new groups, which EC2 creates with an allow-all egress rule).
  'ec2:CreateSecurityGroup',
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:AuthorizeSecurityGroupEgress',
  'ec2:ModifySecurityGroupRules',
  // Routes.
  'ec2:CreateRoute',
  'ec2:ReplaceRoute',
  'ec2:AssociateRouteTable',
  // The DNS firewall that closes DNS as an exfiltration channel: a rule or domain changed, or the group detached.
  'route53resolver:CreateFirewallRule',
  'route53resolver:UpdateFirewallRule',
  'route53resolver:DeleteFirewallRule',
  'route53resolver:UpdateFirewallDomains',
  'route53resolver:UpdateFirewallRuleGroupAssociation',
  'route53resolver:DisassociateFirewallRuleGroup',
  // Resource policies that could grant another account (I3): bucket policy, ACLs, public access, key, repository.
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketAcl',
  's3:PutBucketOwnershipControls',
  's3:PutBucketPublicAccessBlock',
  'kms:PutKeyPolicy',
  'ecr:SetRepositoryPolicy',
];

/** The actions the execution policy allows for these services; fails naming any service it has no list for. */
export function cloudFormationActions(services: readonly string[]): string[] {
  return services.flatMap((service) => {
    const actions = CLOUDFORMATION_ACTIONS[service];
    if (!actions)
      throw new Error(
        `managedServices: no CloudFormation action list for "${service}". Fix: add the actions its resources need to CLOUDFORMATION_ACTIONS in packages/shared/src/cdk/cloudformation-actions.ts`,
      );
    return [...actions];
  });
}
