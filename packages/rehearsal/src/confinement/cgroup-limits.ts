import { existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface ResourceLimits {
  readonly memoryBytes: number;
  readonly cpuUnits: number;
  readonly maxProcesses: number;
}

/**
 * One container's cgroup: memory (swap included), CPU quota and a pids limit. cgroup v2 where it offers the memory
 * and pids controllers; otherwise the v1 hierarchies (this machine binds memory and pids to v1 and leaves only
 * hugetlb on the v2 mount). `procsFiles` are written with the launcher's pid before it starts anything, so every
 * process of the container is counted.
 */
export interface ContainerCgroup {
  readonly procsFiles: readonly string[];
  /** Whether the kernel's OOM killer killed a process of this cgroup. */
  oomKilled(): boolean;
  /** Pids still in the cgroup (host pids). */
  pids(): number[];
  /**
   * Removes the cgroup directories; call once `pids()` is empty. Off the main thread: a cgroup's rmdir waits in the
   * kernel (several ms each under load, three hierarchies per container on v1), which blocked every run's event loop.
   */
  remove(): Promise<void>;
}

const V1 = '/sys/fs/cgroup';
const V2_CANDIDATES = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];
const CPU_PERIOD_US = 100_000;

export function createContainerCgroup(name: string, limits: ResourceLimits): ContainerCgroup {
  const v2 = V2_CANDIDATES.find((root) => controllers(root).includes('memory') && controllers(root).includes('pids'));
  if (v2) return createV2(join(v2, name), limits);
  if (existsSync(join(V1, 'memory', 'cgroup.procs')) && existsSync(join(V1, 'pids', 'cgroup.procs'))) {
    return createV1(name, limits);
  }
  throw new Error(
    'no cgroup with the memory and pids controllers (looked for cgroup v2 at /sys/fs/cgroup and /sys/fs/cgroup/unified, v1 at /sys/fs/cgroup/{memory,pids}); mount one to confine containers',
  );
}

function controllers(root: string): string[] {
  try {
    return readFileSync(join(root, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
  } catch {
    return [];
  }
}

function createV2(dir: string, limits: ResourceLimits): ContainerCgroup {
  const parent = join(dir, '..');
  writeFileSync(
    join(parent, 'cgroup.subtree_control'),
    '+memory +pids' + (controllers(parent).includes('cpu') ? ' +cpu' : ''),
  );
  mkdirSync(dir);
  writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
  if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
  writeFileSync(join(dir, 'pids.max'), String(limits.maxProcesses));
  if (existsSync(join(dir, 'cpu.max'))) {
    writeFileSync(join(dir, 'cpu.max'), `${cpuQuotaUs(limits.cpuUnits)} ${CPU_PERIOD_US}`);
  }
  return {
    procsFiles: [join(dir, 'cgroup.procs')],
    oomKilled: () => /^oom_kill [1-9]/m.test(readFileSync(join(dir, 'memory.events'), 'utf8')),
    pids: () => readPids(join(dir, 'cgroup.procs')),
    remove: () => rmdir(dir),
  };
}

function createV1(name: string, limits: ResourceLimits): ContainerCgroup {
  const memory = join(V1, 'memory', name);
  const pids = join(V1, 'pids', name);
  const cpu = existsSync(join(V1, 'cpu', 'cgroup.procs')) ? join(V1, 'cpu', name) : undefined;
  const dirs = [memory, pids, ...(cpu ? [cpu] : [])];
  for (const dir of dirs) mkdirSync(dir);
  writeFileSync(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
  // With swap accounting, memory+swap gets the same limit, so swapping cannot extend the budget.
  if (existsSync(join(memory, 'memory.memsw.limit_in_bytes'))) {
    writeFileSync(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
  }
  // cgroup v1 leaves TCP buffers out of memory.usage_in_bytes and unlimited unless this is set (v2 charges them to
  // memory.current): without it a container held 295 MiB in 40 loopback connections under a 128 MiB limit.
  writeFileSync(join(memory, 'memory.kmem.tcp.limit_in_bytes'), String(limits.memoryBytes));
  writeFileSync(join(pids, 'pids.max'), String(limits.maxProcesses));
  if (cpu) {
    writeFileSync(join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
    writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(cpuQuotaUs(limits.cpuUnits)));
  }
  return {
    procsFiles: dirs.map((dir) => join(dir, 'cgroup.procs')),
    oomKilled: () => /^oom_kill [1-9]/m.test(readFileSync(join(memory, 'memory.oom_control'), 'utf8')),
    pids: () => [...new Set(dirs.flatMap((dir) => readPids(join(dir, 'cgroup.procs'))))],
    remove: async () => {
      await Promise.all(dirs.map((dir) => rmdir(dir)));
    },
  };
}

/** 1024 CPU units are one vCPU: the quota per period in microseconds. */
function cpuQuotaUs(cpuUnits: number): number {
  return Math.max(1000, Math.round((cpuUnits / 1024) * CPU_PERIOD_US));
}

function readPids(file: string): number[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
}
