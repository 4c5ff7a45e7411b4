// Runs as an unprivileged uid (started by user-mode.test.ts with setpriv): confines the probe in `user` mode, once
// per scenario, and prints every finding as one JSON object. Arguments: <image root> <host secret> <a descriptor
// inherited open on the host secret>.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import {
  createConfinedTask,
  detectConfinement,
  measureStartCost,
  startConfinedContainer,
  type ConfinedContainerSpec,
} from '../../src/confinement/index.js';
import {
  KEYCTL_READ,
  MAP_SHARED_ANONYMOUS,
  O_CREAT_RDWR,
  PROT_READ_WRITE,
  queueSignalsProgram,
  epollWatchesProgram,
  SO_KEEPALIVE,
  SO_SNDBUF,
  SOL_SOCKET,
  SYSCALL,
  syscallProgram,
} from './syscall-program.js';

const [imageRoot = '', hostSecret = '', inheritedFd = ''] = process.argv.slice(2);
const FORWARD_PORT = 9000;
const SCRATCH_BYTES = 8 * 1024 * 1024;
const MAX_PROCESSES = 64;
const MEMORY_BYTES = 128 * 1024 * 1024;

const hostPidsWith = (marker: string) =>
  readdirSync('/proc').filter((pid) => {
    try {
      return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false;
    }
  });

// The serial of the session keyring this driver was started in (the invoking user's own, as a login's is): a
// container that names it reads it unless keyctl is refused, since on the host it is the same user.
const hostSessionKeyring = Number(
  execFileSync('perl', ['-e', `print syscall(${SYSCALL.keyctl}, 0, -3, 0)`], { encoding: 'utf8' }),
);
writeFileSync(
  join(imageRoot, 'opt', 'airlock', 'read-host-session'),
  syscallProgram(SYSCALL.keyctl, KEYCTL_READ, hostSessionKeyring),
  { mode: 0o755 },
);

// Shared memory that no rlimit counts, and a private mapping (which must stay allowed) to show the programs work.
const MAP_PRIVATE_ANONYMOUS = 0x22;
const NO_FD = 0xffffffff;
for (const [name, program] of [
  ['memfd', syscallProgram(SYSCALL.memfdCreate, 'argv1', 0)],
  ['inotify', syscallProgram(SYSCALL.inotifyInit1, 0)],
  // FAN_CLASS_NOTIF | FAN_REPORT_FID, O_RDONLY: what an unprivileged process may ask for.
  ['fanotify', syscallProgram(SYSCALL.fanotifyInit, 0x200, 0)],
  ['shmget', syscallProgram(SYSCALL.shmget, 0, 4096)],
  ['shared-mmap', syscallProgram(SYSCALL.mmap, 0, 4096, PROT_READ_WRITE, MAP_SHARED_ANONYMOUS, NO_FD, 0)],
  ['private-mmap', syscallProgram(SYSCALL.mmap, 0, 4096, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, NO_FD, 0)],
  // On stdin with no value: the filter answers EPERM before the kernel looks at either.
  ['socket-buffer', syscallProgram(SYSCALL.setsockopt, 0, SOL_SOCKET, SO_SNDBUF, 0, 4)],
  ['socket-keepalive', syscallProgram(SYSCALL.setsockopt, 0, SOL_SOCKET, SO_KEEPALIVE, 0, 4)],
  // Counted up to the invoking user's own limits on the host: queued signals and message queue bytes (the system
  // call takes the queue's name without mq_open(3)'s leading slash).
  ['queue-signals', queueSignalsProgram(1000)],
  ['message-queue', syscallProgram(SYSCALL.mqOpen, 'argv1', O_CREAT_RDWR, 0o600, 0)],
  // A million epoll watches (1000 eventfds in each of 1000 instances): about 256 MiB of kernel memory.
  ['epoll-watches', epollWatchesProgram(1000, 1000)],
] as const) {
  writeFileSync(join(imageRoot, 'opt', 'airlock', name), program, { mode: 0o755 });
}

const availability = detectConfinement();
if (availability.mode !== 'user')
  throw new Error(`expected user mode, got ${availability.mode}: ${availability.reason}`);
// The S3 front's stand-in, in this process as the front is in the rehearsal's: the task's connections are handed to it.
const front = http.createServer((request, response) => response.end(`front saw ${request.url}`));
await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
const task = await createConfinedTask({
  mode: 'user',
  scratchBytes: SCRATCH_BYTES,
  scratchOwner: { uid: 10001, gid: 10001 },
  forward: { listenPort: FORWARD_PORT, front },
});
// The invoking user's own things outside: a process, an abstract Unix socket and a loopback listener.
const decoy = spawn('sleep', ['600'], { stdio: 'ignore' });
const abstractName = `airlock-user-mode-${process.pid}`;
const abstract = net.createServer((socket) => socket.end('host'));
await new Promise<void>((resolve) => abstract.listen(`\0${abstractName}`, resolve));
const hostListener = net.createServer((socket) => socket.end('host'));
await new Promise<void>((resolve) => hostListener.listen(0, '127.0.0.1', resolve));
const spec: ConfinedContainerSpec = {
  name: 'run',
  argv: ['node', '/opt/airlock/probe.cjs'],
  environment: { RUN_DEADLINE: '123' },
  uid: 10001,
  gid: 10001,
  readonlyRootFilesystem: true,
  mountPoints: [{ containerPath: '/scratch', readOnly: false }],
  workingDirectory: '/scratch',
  memoryBytes: MEMORY_BYTES,
  cpuUnits: 512,
  maxProcesses: MAX_PROCESSES,
  wallClockMs: 30_000,
  imageRoot,
};
const run = async (args: string[], overrides: Partial<ConfinedContainerSpec> = {}) => {
  const result = await startConfinedContainer(task, { ...spec, ...overrides, argv: [...spec.argv, ...args] }).exited;
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  let findings: unknown;
  try {
    findings = JSON.parse(last);
  } catch {
    findings = undefined;
  }
  return { ...result, stdout: result.stdout.slice(-2000), findings };
};
try {
  const hostPort = (hostListener.address() as net.AddressInfo).port;
  // One at a time: the task's user namespace counts every container's processes against each one's RLIMIT_NPROC.
  const scenarios: Record<string, () => ReturnType<typeof run>> = {
    identity: () => run(['identity', hostSecret, '/root', '/work', '/tmp', '/home', '/etc', '/sys']),
    credentials: () => run(['credentials']),
    keyrings: () => run(['keyrings']),
    readHostSession: () => run(['syscall', '/opt/airlock/read-host-session']),
    inheritedFd: () => run(['inheritedFd', inheritedFd]),
    fillInodes: () => run(['fillInodes', '/scratch', '/tmp'], { tmpBytes: 4 * 1024 * 1024 }),
    host: () => run(['host', String(decoy.pid), abstractName]),
    network: () => run(['network', String(hostPort), String(FORWARD_PORT)]),
    newUserNamespace: () => run(['syscall', '/opt/airlock/unshare-user']),
    memfd: () => run(['syscall', '/opt/airlock/memfd', 'airlock']),
    shmget: () => run(['syscall', '/opt/airlock/shmget']),
    sharedMmap: () => run(['syscall', '/opt/airlock/shared-mmap']),
    inotify: () => run(['syscall', '/opt/airlock/inotify']),
    fanotify: () => run(['syscall', '/opt/airlock/fanotify']),
    privateMmap: () => run(['syscall', '/opt/airlock/private-mmap']),
    unmountRoot: () => run(['syscall', '/opt/airlock/umount', '/']),
    unmountScratch: () => run(['syscall', '/opt/airlock/umount', '/scratch']),
    forkBomb: () => run(['forkBomb'], { memoryBytes: 1024 * 1024 * 1024 }),
    allocate: () => run(['allocate', '512']),
    // Four processes of 160 MiB, each under RLIMIT_DATA (512 MiB), together past the container's 512 MiB.
    allocateTogether: () => run(['allocateTogether', '4', '160'], { memoryBytes: 512 * 1024 * 1024 }),
    // Kernel memory in socket queues, which no RSS shows: 2000 unix pairs would hold about 1 GiB, 40 loopback TCP
    // connections 295 MiB with the host's TCP buffer limits.
    holdUnixSockets: () => run(['holdSockets', 'unix', '2000']),
    holdTcp: () => run(['holdSockets', 'tcp', '40']),
    socketBuffer: () => run(['syscall', '/opt/airlock/socket-buffer']),
    socketKeepalive: () => run(['syscall', '/opt/airlock/socket-keepalive']),
    queueSignals: () => run(['syscall', '/opt/airlock/queue-signals']),
    epollWatches: () => run(['syscall', '/opt/airlock/epoll-watches']),
    openFiles: () => run(['openFiles', '20000']),
    messageQueue: () => run(['syscall', '/opt/airlock/message-queue', 'airlock']),
    fillScratch: () => run(['fillScratch']),
    deadline: () => run(['sleep', 'marker-user-deadline'], { wallClockMs: 1500 }),
    daemon: () => run(['daemon', 'marker-user-daemon']),
  };
  const results: Record<string, Awaited<ReturnType<typeof run>>> = {};
  for (const [name, scenario] of Object.entries(scenarios)) results[name] = await scenario();
  process.stdout.write(
    JSON.stringify({
      ...results,
      startCost: await measureStartCost(task, spec, 2),
      decoyAlive: decoy.exitCode === null && decoy.signalCode === null,
      leftover: hostPidsWith('marker-user-'),
    }),
  );
} finally {
  decoy.kill('SIGKILL');
  abstract.close();
  hostListener.close();
  await task.close();
  front.close();
}
