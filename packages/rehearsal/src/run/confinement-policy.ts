import { perlLaunchStep, systemdUserScope, type ConfinementAvailability } from '../confinement/index.js';

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
  const common =
    "own PID/mount/IPC/UTS namespaces, no capabilities, no_new_privs, read-only image root, a no-route task network whose only exit is the S3 front's endpoint listener, where the S3 gateway endpoint's policy and condition keys apply";
  const notReproduced =
    "Not reproduced: the DNS firewall, the ECR and Logs endpoints, Fargate's own kernel and VM boundary." +
    (perlLaunchStep()
      ? ''
      : ' Not closed here (no Perl, or an architecture other than x86-64 and arm64): the containers inherit the session keyring and any descriptor left open by the shell that started the rehearsal, and may call keyctl (without root they can read your keys by serial), so keep no keys in your keyrings and start it from a plain shell.');
  if (confinement.mode === 'root') {
    return `Confinement: kernel, as root (${common}; uid 10001 on the host, cgroup limits). ${notReproduced}`;
  }
  if (confinement.mode === 'user') {
    return (
      `Confinement: kernel, without root (user namespaces: ${common}; uid 10001 inside the container's own user namespace). ` +
      'What root would add: on this machine the submission runs as YOU (only the namespaces and its mount view keep it from your other processes and files; ' +
      'a kernel bug in user namespaces would reach them)' +
      (systemdUserScope()
        ? '; limits: a systemd user scope per container (the kernel bounds memory, tasks and CPU as a cgroup), RLIMIT_NPROC and RLIMIT_DATA. '
        : "; no cgroup (no systemd user scope here): RLIMIT_DATA per process, shared memory refused by seccomp, and the rehearsal's watchdog, not the kernel, kills a container whose processes together pass the task's memory, checked every 100 ms (kernel memory only estimated, per socket, descriptor and epoll watch; pipe pages and page tables not counted); no CPU limit, RLIMIT_NPROC instead of pids.max. ") +
      notReproduced
    );
  }
  return `Confinement: NONE — ${confinement.reason}. The submission runs as you, with this machine's file system and network, and the S3 front cannot tell its requests from anyone else's: every presigned request is taken as coming through the sandbox's endpoint, so the URLs' network perimeter is not checked.`;
}
