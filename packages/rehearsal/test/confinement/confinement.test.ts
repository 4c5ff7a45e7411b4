import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createConfinedTask,
  detectConfinement,
  measureStartCost,
  SOCKET_BUFFER_BYTES,
  startConfinedContainer,
  type ConfinedContainerSpec,
  type ConfinedTask,
} from '../../src/confinement/index.js';
import { runtimeFiles } from '../../src/confinement/runtime-files.js';

const PROBE = fileURLToPath(new URL('./probe.cjs', import.meta.url));
const FORWARD_PORT = 9000;
const SCRATCH_BYTES = 8 * 1024 * 1024;
const MAX_PROCESSES = 64;

/** Host pids whose command line contains `marker` (the container's processes seen from outside). */
function readStatus(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return ''; // it ended between the listing and the read
  }
}

function hostPidsWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** This process's container cgroups (`airlock-<pid>-…`) in every hierarchy root mode may create them in. */
function ourCgroups(): string[] {
  const roots = ['', 'unified', 'memory', 'pids', 'cpu'].map((h) => join('/sys/fs/cgroup', h));
  return roots.flatMap((root) => {
    try {
      return readdirSync(root)
        .filter((entry) => entry.startsWith(`airlock-${process.pid}-`))
        .map((entry) => join(root, entry));
    } catch {
      return []; // no such hierarchy here
    }
  });
}

describe('confined containers (root mode)', () => {
  let imageRoot: string;
  let hostSecret: string;
  let task: ConfinedTask;
  let front: http.Server;
  let spec: ConfinedContainerSpec;

  beforeAll(async () => {
    const availability = detectConfinement();
    // Never skipped: CI runs these as root, and a machine that cannot confine must say so by failing.
    if (availability.mode !== 'root') throw new Error(`confinement unavailable: ${availability.reason}`);
    imageRoot = mkdtempSync(join(tmpdir(), 'airlock-image-root-'));
    mkdirSync(join(imageRoot, 'opt', 'airlock'), { recursive: true });
    copyFileSync(PROBE, join(imageRoot, 'opt', 'airlock', 'probe.cjs'));
    hostSecret = join(mkdtempSync(join(tmpdir(), 'airlock-host-secret-')), 'secret');
    writeFileSync(hostSecret, 'host');
    front = http.createServer((request, response) => response.end(`front saw ${request.url}`));
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    task = await createConfinedTask({
      scratchBytes: SCRATCH_BYTES,
      scratchOwner: { uid: 10001, gid: 10001 },
      forward: { listenPort: FORWARD_PORT, front },
    });
    spec = {
      name: 'run',
      argv: ['node', '/opt/airlock/probe.cjs'],
      environment: { RUN_DEADLINE: '123', RUN_MAX_SECONDS: '900' },
      uid: 10001,
      gid: 10001,
      readonlyRootFilesystem: true,
      mountPoints: [{ containerPath: '/scratch', readOnly: false }],
      workingDirectory: '/scratch',
      memoryBytes: 128 * 1024 * 1024,
      cpuUnits: 512,
      maxProcesses: MAX_PROCESSES,
      wallClockMs: 20_000,
      imageRoot,
    };
  });

  afterAll(async () => {
    await task?.close();
    front?.close();
    for (const dir of [imageRoot, hostSecret && join(hostSecret, '..')]) {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  const run = (args: string[], overrides: Partial<ConfinedContainerSpec> = {}) =>
    startConfinedContainer(task, { ...spec, ...overrides, argv: [...spec.argv, ...args] });
  const findings = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1) ?? '');

  it('runs as uid/gid 10001 on the host, with no capability and no_new_privs', async () => {
    const container = run(['sleep', 'marker-identity']);
    let status = '';
    for (let i = 0; i < 200 && !status; i++) {
      // The program, once the launcher has exec'd it: setpriv sets the uid before it drops the capabilities.
      status =
        hostPidsWith('marker-identity')
          .filter((p) => p !== container.pid)
          .map((pid) => readStatus(pid))
          .find((text) => text.includes('Uid:\t10001') && !/^Name:\tsetpriv$/m.test(text)) ?? '';
      if (!status) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    container.kill();
    await container.exited;
    expect(status).toMatch(/^Uid:\t10001\t10001\t10001\t10001$/m);
    expect(status).toMatch(/^Gid:\t10001\t10001\t10001\t10001$/m);
    expect(status).toMatch(/^Groups:\t\s*$/m);
    expect(status).toMatch(/^CapEff:\t0{16}$/m);
    expect(status).toMatch(/^CapPrm:\t0{16}$/m);
    expect(status).toMatch(/^CapBnd:\t0{16}$/m);
    expect(status).toMatch(/^NoNewPrivs:\t1$/m);
  });

  it('sees a read-only root holding only the image, its own processes and exactly its environment', async () => {
    const result = await run(['identity', hostSecret, '/root', '/work', '/tmp', '/home', '/etc']).exited;
    expect(result.stderr).toBe('');
    const seen = findings(result.stdout);
    expect(seen.pid).toBe(1);
    expect(seen.environment).toEqual(spec.environment);
    expect(seen.cwd).toBe('/scratch');
    const runtimeTops = runtimeFiles().map((file) => file.path.split('/')[1] ?? '');
    expect(seen.root).toEqual([...new Set(['dev', 'opt', 'proc', 'scratch', ...runtimeTops])].sort());
    expect(seen.processes).toEqual(['1']);
    expect(seen.writeOpt).toBe('EROFS');
    expect(seen.writeRoot).toBe('EROFS');
    expect(seen.writeScratch).toBe('ok');
    expect(seen.visible).toEqual({
      [hostSecret]: false,
      '/root': false,
      '/work': false,
      '/tmp': false,
      '/home': false,
      '/etc': false,
    });
  });

  it('mounts the scratch volume read-only where the definition says so', async () => {
    const result = await run(['identity'], {
      mountPoints: [{ containerPath: '/scratch', readOnly: true }],
    }).exited;
    expect(findings(result.stdout).writeScratch).toBe('EROFS');
  });

  it('leaves no process behind, even one in its own session', async () => {
    const result = await run(['daemon', 'marker-daemon']).exited;
    expect(findings(result.stdout).started).toBe(true);
    expect(hostPidsWith('marker-daemon')).toEqual([]);
  });

  it('removes its cgroups once it has ended, so none is left behind per container', async () => {
    const container = run(['sleep', 'marker-cgroups']);
    for (let i = 0; i < 200 && container.pids().length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    // While it runs, its cgroups are where this looks: the check below cannot pass by looking elsewhere.
    expect(ourCgroups().length).toBeGreaterThan(0);
    container.kill();
    await container.exited;
    expect(ourCgroups()).toEqual([]);
  });

  it('takes a stop that comes after the container ended (its cgroup is gone) as done', async () => {
    const container = run(['daemon', 'marker-late-stop']);
    await container.exited;
    expect(() => container.kill()).not.toThrow();
    expect(() => container.signal('SIGTERM')).not.toThrow();
    expect(container.pids()).toEqual([]);
  });

  it('kills the whole container at the wall-clock limit', async () => {
    const result = await run(['sleep', 'marker-deadline'], { wallClockMs: 1500 }).exited;
    expect(result.timedOut).toBe(true);
    expect(result.signal ?? result.exitCode).not.toBe(0);
    expect(hostPidsWith('marker-deadline')).toEqual([]);
  });

  it('contains a fork bomb with the pids limit while the host stays responsive', async () => {
    let worstTimerLagMs = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      worstTimerLagMs = Math.max(worstTimerLagMs, now - last - 50);
      last = now;
    }, 50);
    const result = await run(['forkBomb']).exited;
    clearInterval(ticker);
    const seen = findings(result.stdout);
    expect(seen.refused).toBe('EAGAIN');
    expect(seen.started).toBeLessThan(MAX_PROCESSES);
    expect(worstTimerLagMs).toBeLessThan(2000);
  });

  it('stops a fork bomb with pids.max alone: its memory limit is far from reached', async () => {
    // 1 GiB: the children the pids limit admits use a fraction of it, so an OOM kill cannot be what stops them.
    const result = await run(['forkBomb'], { memoryBytes: 1024 * 1024 * 1024 }).exited;
    expect(result.oomKilled).toBe(false);
    const seen = findings(result.stdout);
    expect(seen.refused).toBe('EAGAIN');
    expect(seen.started).toBeLessThan(MAX_PROCESSES);
  });

  it('kills an allocation past the memory limit', async () => {
    const result = await run(['allocate', '512']).exited;
    expect(result.oomKilled).toBe(true);
    expect(result.stdout).not.toContain('survived');
    const reached = Math.max(...result.stdout.split('\n').filter(Boolean).map(Number));
    expect(reached).toBeLessThanOrEqual(128);
  });

  it("bounds loopback TCP buffers per connection by the task network's tcp_rmem/tcp_wmem", async () => {
    const pairs = 40;
    const result = await run(['holdSockets', 'tcp', String(pairs)]).exited;
    const seen = findings(result.stdout);
    expect(seen.pairs).toBe(pairs);
    // Each end queues at most one socket buffer each way; the host's maximum is 4 MiB + 32 MiB (295 MiB were held).
    expect(seen.heldMiB).toBeLessThanOrEqual((pairs * 4 * SOCKET_BUFFER_BYTES) / 2 ** 20);
  });

  it('charges TCP buffers to the memory limit (cgroup v1 leaves them out unless memory.kmem.tcp is limited)', async () => {
    const result = await run(['holdSockets', 'tcp', '800']).exited;
    const seen = findings(result.stdout);
    expect(seen.pairs).toBe(800);
    // 800 connections queue 400 MiB within the clamp; the cgroup stops them near the container's 128 MiB (the
    // kernel charges a receive past the limit rather than drop it: 133 to 168 MiB were seen).
    expect(seen.heldMiB).toBeLessThanOrEqual(256);
  });

  it('stops a scratch fill at the volume size', async () => {
    const result = await run(['fillScratch']).exited;
    const seen = findings(result.stdout);
    expect(seen.error).toBe('ENOSPC');
    expect(seen.written).toBeLessThanOrEqual(SCRATCH_BYTES);
  });

  it('reaches nothing but the task network listener: not the host loopback, not any other address', async () => {
    const hostListener = net.createServer((socket) => socket.end('host'));
    await new Promise<void>((resolve) => hostListener.listen(0, '127.0.0.1', resolve));
    const hostPort = (hostListener.address() as net.AddressInfo).port;
    try {
      const result = await run(['network', String(hostPort), String(FORWARD_PORT)]).exited;
      const seen = findings(result.stdout);
      expect(seen.hostLoopback).toBe('ECONNREFUSED');
      expect(seen.otherAddress).toBe('ENETUNREACH');
      expect(seen.publicAddress).toBe('ENETUNREACH');
      expect(seen.forwarded).toBe('200 front saw /through');
    } finally {
      hostListener.close();
    }
  });

  it('measures what a confined start costs', async () => {
    const cost = await measureStartCost(task, spec, 2);
    expect(cost.confinedMs).toBeGreaterThan(0);
    expect(cost.unconfinedMs).toBeGreaterThan(0);
    expect(cost.samples).toBe(2);
  });
});
