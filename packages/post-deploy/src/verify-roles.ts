import {
  GetRoleCommand,
  GetRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { asList } from '@airlock/cloud-assembly';
import { awsCall, mismatch, notChecked, runCheck, verified, type CheckResult } from './check-result.js';
import type { DeployedStack } from './deployed-stack.js';
import { parseDeployedPolicy, policyDifferences } from './policy-documents.js';

/** A role as the synthesized template defines it, resolved to deployed names. */
interface SynthesizedRole {
  readonly name: string;
  readonly trust: unknown;
  readonly inline: ReadonlyMap<string, unknown>;
  readonly attached: readonly string[];
  readonly boundary: string | undefined;
}

const roleNamesOf = (stack: DeployedStack, roles: unknown): string[] => asList(stack.resolve(roles) as string[]);

function synthesizedRole(stack: DeployedStack, logicalId: string, props: Record<string, unknown>): SynthesizedRole {
  const name = String(stack.resolve({ Ref: logicalId }));
  const inline = new Map<string, unknown>();
  for (const p of asList(props.Policies as Array<{ PolicyName: unknown; PolicyDocument: unknown }>))
    inline.set(String(stack.resolve(p.PolicyName)), stack.resolve(p.PolicyDocument));
  // Policies defined as their own resources land on the role as inline policies under their PolicyName.
  for (const [, policy] of stack.ofType('AWS::IAM::Policy'))
    if (roleNamesOf(stack, policy.Roles).includes(name))
      inline.set(String(stack.resolve(policy.PolicyName)), stack.resolve(policy.PolicyDocument));
  for (const [, policy] of stack.ofType('AWS::IAM::RolePolicy'))
    if (stack.resolve(policy.RoleName) === name)
      inline.set(String(stack.resolve(policy.PolicyName)), stack.resolve(policy.PolicyDocument));
  const attached = asList(stack.resolve(props.ManagedPolicyArns) as string[]);
  for (const [id, policy] of stack.ofType('AWS::IAM::ManagedPolicy'))
    if (roleNamesOf(stack, policy.Roles).includes(name)) attached.push(String(stack.resolve({ Ref: id })));
  const boundary =
    props.PermissionsBoundary === undefined ? undefined : String(stack.resolve(props.PermissionsBoundary));
  return { name, trust: stack.resolve(props.AssumeRolePolicyDocument), inline, attached, boundary };
}

/** The differences between one synthesized role and the deployed role of that name, read with IAM's read calls. */
async function roleDifferences(iam: IAMClient, role: SynthesizedRole): Promise<string[]> {
  const differences: string[] = [];
  const { Role: deployed } = await awsCall('iam:GetRole', () => iam.send(new GetRoleCommand({ RoleName: role.name })));
  differences.push(
    ...policyDifferences(role.trust, parseDeployedPolicy(deployed?.AssumeRolePolicyDocument)).map((d) => `trust: ${d}`),
  );
  const boundary = deployed?.PermissionsBoundary?.PermissionsBoundaryArn;
  if (boundary !== role.boundary)
    differences.push(`permissions boundary synthesized ${role.boundary ?? 'none'}, deployed ${boundary ?? 'none'}`);

  const deployedNames: string[] = [];
  await awsCall('iam:ListRolePolicies', async () => {
    for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: role.name }))
      deployedNames.push(...(page.PolicyNames ?? []));
  });
  for (const name of deployedNames.filter((n) => !role.inline.has(n))) differences.push(`extra inline policy ${name}`);
  for (const [name, document] of role.inline) {
    if (!deployedNames.includes(name)) {
      differences.push(`missing inline policy ${name}`);
      continue;
    }
    const { PolicyDocument } = await awsCall('iam:GetRolePolicy', () =>
      iam.send(new GetRolePolicyCommand({ RoleName: role.name, PolicyName: name })),
    );
    differences.push(
      ...policyDifferences(document, parseDeployedPolicy(PolicyDocument)).map((d) => `inline policy ${name}: ${d}`),
    );
  }

  const attached: string[] = [];
  await awsCall('iam:ListAttachedRolePolicies', async () => {
    for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: role.name }))
      attached.push(...(page.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ''));
  });
  for (const arn of attached.filter((a) => !role.attached.includes(a)))
    differences.push(`extra attached policy ${arn}`);
  for (const arn of role.attached.filter((a) => !attached.includes(a)))
    differences.push(`missing attached policy ${arn}`);
  return differences;
}

/**
 * Each IAM role of the account's stack against the synthesized one: trust policy, inline policies (the role's own
 * and the `AWS::IAM::Policy` resources on it), attached managed policies and permissions boundary. A faithful deploy
 * reads VERIFIED; any extra or missing action, resource, principal or condition reads MISMATCH naming it. (The
 * kill switch, while on, is an extra attached policy on purpose.)
 */
export async function verifyRoles(stack: DeployedStack, iam: IAMClient): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [logicalId, props] of stack.ofType('AWS::IAM::Role')) {
    const role = synthesizedRole(stack, logicalId, props);
    const subject = `role ${role.name} (${logicalId})`;
    const unresolved = stack.unresolved(role);
    if (unresolved.length > 0) {
      results.push(notChecked(subject, `its synthesized policies refer to ${unresolved.join(', ')}, not known here`));
      continue;
    }
    results.push(
      ...(await runCheck(subject, async () => {
        const differences = await roleDifferences(iam, role);
        if (differences.length > 0) return [mismatch(subject, differences.join('; '))];
        return [
          verified(
            subject,
            `trust, ${role.inline.size} inline and ${role.attached.length} attached policies, boundary ${role.boundary ?? 'none'}`,
          ),
        ];
      })),
    );
  }
  return results;
}
