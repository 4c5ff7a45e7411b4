import { launchStateMachineName, VARIABLE } from '@airlock/contracts';
import { urlHistories } from './url-histories.js';
import { actionMatches, asList, type RoleModel, type TrustSurface } from '@airlock/cloud-assembly';

/** One place a run's presigned URLs are written, and who the templates let read them there. */
export interface UrlReaders {
  readonly where: string;
  readonly readers: readonly string[];
  readonly narrowedBy: string;
}

const URL_VARIABLES: readonly string[] = [VARIABLE.INPUT_URL, VARIABLE.OUTPUT_POST];

/** Roles of `account` with an Allow statement whose actions cover `action` (conditions not evaluated). */
function rolesAllowedTo(surface: TrustSurface, account: RoleModel['account'], action: string): string[] {
  return surface.roles
    .filter((r) => r.account === account)
    .filter((r) =>
      r.permissions.some((p) =>
        p.document.Statement.some(
          (s) => s.Effect === 'Allow' && asList(s.Action).some((a) => actionMatches(String(a), action)),
        ),
      ),
    )
    .map((r) => r.arn);
}

/**
 * Every path by which a principal can read a run's URLs, from the synthesized templates: the two Standard
 * workflows' histories (their keys' `DecryptOnlyByNamedReaders` exemption list, or the whole account when the key
 * has none), the task's overrides and CloudTrail's RunTask events (IAM only), and the containers given them.
 */
export function urlReaders(surface: TrustSurface): UrlReaders[] {
  const env = surface.env;
  const histories = urlHistories(surface).map(({ name, machine, keyPolicy }): UrlReaders => {
    const deny = keyPolicy?.policy.Statement.find((s) => s.Effect === 'Deny' && s.Sid === 'DecryptOnlyByNamedReaders');
    const named = asList(deny?.Condition?.ArnNotEquals?.['aws:PrincipalArn']).map(String);
    return {
      where: `${name}'s execution history (${machine?.account ?? 'unknown'} account)`,
      readers: deny
        ? named
        : [`any principal of the ${machine?.account ?? 'unknown'} account that IAM allows kms:Decrypt`],
      narrowedBy: deny ? "the key's DecryptOnlyByNamedReaders Deny" : 'nothing but IAM: the key delegates to IAM',
    };
  });
  const launch = surface.stateMachines.find((m) => m.name === launchStateMachineName(env));
  const containers = Object.values(launch?.definition.States ?? {}).flatMap((state) => {
    const overrides = (state as { Parameters?: { Overrides?: { ContainerOverrides?: unknown } } }).Parameters?.Overrides
      ?.ContainerOverrides;
    return asList(overrides as Array<{ Name?: string; Environment?: Array<{ Name?: string }> }>)
      .filter((c) => asList(c.Environment).some((e) => URL_VARIABLES.includes(e.Name ?? '')))
      .map((c) => `container ${c.Name ?? '?'}`);
  });
  return [
    ...histories,
    {
      where: "the runner task's overrides (ecs:DescribeTasks, sandbox account)",
      readers: [
        ...rolesAllowedTo(surface, 'sandbox', 'ecs:DescribeTasks'),
        'any other principal of the sandbox account that IAM allows ecs:DescribeTasks',
      ],
      narrowedBy: 'nothing but IAM: task overrides have no customer key',
    },
    {
      where: "EventBridge's ECS Task State Change events, which carry the overrides (sandbox account)",
      readers: ["the targets of any rule on the sandbox account's default event bus, and whoever can add one"],
      narrowedBy: 'nothing but IAM (events:PutRule, events:PutTargets)',
    },
    {
      where: "CloudTrail's RunTask events (sandbox account)",
      readers: ['any principal of the sandbox account that IAM allows cloudtrail:LookupEvents'],
      narrowedBy: 'nothing but IAM',
    },
    {
      where: "the task's environment",
      readers: containers,
      narrowedBy: 'the launch workflow gives the URLs to these containers only; the kernel keeps them apart',
    },
  ];
}
