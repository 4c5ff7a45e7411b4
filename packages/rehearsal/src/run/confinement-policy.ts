import type { ConfinementAvailability } from '../confinement/index.js';

/**
 * Where the kernel cannot confine, only our own example (or a fault, whose code is ours) runs without asking;
 * another submission needs --unconfined, and an attack never runs unconfined: it would attack this machine.
 */
export function unconfinedRefusal(
  confinement: ConfinementAvailability,
  values: { submission?: string | undefined; attack?: string | undefined; unconfined: boolean },
): string | undefined {
  if (confinement.mode !== 'none') return undefined;
  if (values.attack)
    return `refusing --attack: attacks are hostile code and run only confined, but ${confinement.reason}`;
  if (values.submission && !values.unconfined)
    return `refusing to run ${values.submission} unconfined (${confinement.reason}); pass --unconfined to run it with your own user's file system and network`;
  return undefined;
}

export function confinementLine(confinement: ConfinementAvailability): string {
  return confinement.mode === 'root'
    ? "Confinement: kernel (own PID/mount/IPC/UTS namespaces, uid 10001 on the host, no capabilities, no_new_privs, read-only image root, cgroup limits, a no-route task network whose only exit is the S3 front's endpoint listener, where the S3 gateway endpoint's policy and condition keys apply). Not reproduced: the DNS firewall, the ECR and Logs endpoints, Fargate's own kernel and VM boundary."
    : `Confinement: NONE — ${confinement.reason}. The submission runs as you, with this machine's file system and network, and the S3 front cannot tell its requests from anyone else's: every presigned request is taken as coming through the sandbox's endpoint, so the URLs' network perimeter is not checked.`;
}
