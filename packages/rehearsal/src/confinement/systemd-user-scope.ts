import { spawnSync } from 'node:child_process';
import type { ResourceLimits } from './cgroup-limits.js';
import { SYSTEM_PATH } from './runtime-files.js';

/** What a user manager is reached through; passed to `systemd-run` only (each container's `env -i` drops them). */
const USER_MANAGER_VARIABLES = ['XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS'] as const;
const PROBE_MEMORY_BYTES = 64 * 1024 * 1024;
const PROBE_TASKS = 16;

/**
 * `user` mode's cgroup, where the machine has one to give: a systemd user manager delegates a cgroup v2 subtree to
 * each user (every mainstream desktop distribution), and `systemd-run --user --scope` runs a command in a new scope
 * of it with MemoryMax (kernel memory and socket buffers included, as cgroup v2 counts them), TasksMax and CPUQuota.
 * The kernel then bounds a container as a whole, as `root` mode's cgroup does, and the memory watchdog is not needed.
 * Probed once per process by starting a real scope with small limits and reading them back from the cgroup the
 * command finds itself in, so a scope is used only where the kernel was seen to apply its limits; undefined
 * otherwise (no systemd, no user session, no memory controller delegated), and the rehearsal says so.
 */
export interface SystemdUserScope {
  /** A launch prefix that runs the rest of the command in a new scope with these limits. */
  prefix(limits: ResourceLimits): string[];
  /** The environment `systemd-run` needs to reach the user manager. */
  readonly environment: Readonly<Record<string, string>>;
}

let probed: { readonly scope: SystemdUserScope | undefined } | undefined;

export function systemdUserScope(): SystemdUserScope | undefined {
  probed ??= { scope: probe() };
  return probed.scope;
}

function scopeArguments(limits: ResourceLimits): string[] {
  return [
    'systemd-run',
    '--user',
    '--scope',
    '--quiet',
    '--collect',
    `--property=MemoryMax=${limits.memoryBytes}`,
    '--property=MemorySwapMax=0',
    `--property=TasksMax=${limits.maxProcesses}`,
    `--property=CPUQuota=${Math.max(1, Math.round((limits.cpuUnits / 1024) * 100))}%`,
    '--',
  ];
}

function probe(): SystemdUserScope | undefined {
  const environment = Object.fromEntries(
    USER_MANAGER_VARIABLES.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  if (!environment.XDG_RUNTIME_DIR) return undefined;
  const [command = '', ...args] = [
    ...scopeArguments({ memoryBytes: PROBE_MEMORY_BYTES, maxProcesses: PROBE_TASKS, cpuUnits: 1024 }),
    '/bin/sh',
    '-c',
    'dir=/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup) && cat "$dir/memory.max" "$dir/pids.max"',
  ];
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: 10_000,
    env: { PATH: SYSTEM_PATH, ...environment },
  });
  if (result.status !== 0) return undefined;
  const [memoryMax, pidsMax] = result.stdout.trim().split('\n');
  if (memoryMax !== String(PROBE_MEMORY_BYTES) || pidsMax !== String(PROBE_TASKS)) return undefined;
  return { prefix: scopeArguments, environment };
}
