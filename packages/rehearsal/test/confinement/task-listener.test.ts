import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_CONNECTIONS } from '../../src/confinement/confined-task.js';
import { createConfinedTask, detectConfinement, type ConfinedTask } from '../../src/confinement/index.js';
import { listenInTaskNetwork, type TaskListenerStep } from '../../src/confinement/task-listener.js';

const run = promisify(execFile);
const LISTEN_PORT = 9000;
const BULK_BYTES = 8 * 1024 * 1024;
const FLOOD_DRIVER = fileURLToPath(new URL('./task-listener-flood-driver.ts', import.meta.url));
/** Descriptors the flood driver may hold: a task's connections cost this process two each (the far side's too). */
const FLOOD_DRIVER_DESCRIPTORS = 200;

/**
 * A client inside the task's network (`nsenter --net`), printing what came back and whether the connection closed
 * within 5 s: `ask <text>` writes the text and waits for the far side to close; `say <text>` writes it and closes
 * once an answer comes; `send <text>` writes it and half-closes at once (its answer still to come); `hold` writes
 * nothing.
 */
const CLIENT = `
const [mode, port, text] = process.argv.slice(1);
const socket = require('node:net').connect(Number(port), '127.0.0.1');
let received = '';
const timer = setTimeout(() => { console.log(JSON.stringify({ received, closed: false })); process.exit(0); }, 5000);
socket.on('data', (chunk) => { received += chunk; if (mode === 'say') socket.end(); });
socket.on('error', (error) => { console.log(JSON.stringify({ error: error.code })); process.exit(0); });
socket.on('close', () => { clearTimeout(timer); console.log(JSON.stringify({ received, closed: true })); });
if (mode === 'send') socket.end(text);
else if (mode !== 'hold') socket.write(text);
`;

/** Host pids whose network namespace is `namespace` (`/proc/<pid>/ns/net`'s link). */
function pidsInNetwork(namespace: string): number[] {
  const target = readlinkSync(namespace);
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/net`) === target;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The uid that created the socket listening on 127.0.0.1:`port` in the task's network (`/proc/net/tcp`). */
async function listeningSocketOwnerIn(namespace: string, port: number): Promise<number | undefined> {
  const { stdout } = await run('nsenter', [`--net=${namespace}`, '--', 'cat', '/proc/net/tcp']);
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const row = stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[1] === local && fields[3] === '0A');
  return row ? Number(row[7]) : undefined;
}

/**
 * Sockets of the host's network held open by some process (an inode: a descriptor refers to it) and connected to
 * 127.0.0.1:`port`. A socket closed with bytes still queued lingers in the kernel, orphaned, with inode 0.
 */
function heldConnectionsTo(port: number): number {
  const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/self/net/tcp', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[2] === remote && fields[9] !== undefined && fields[9] !== '0').length;
}

describe("the task network's listener (root mode)", () => {
  /** The far side, standing in for the S3 front: echoes, closes on "close", and records what it saw. */
  let front: net.Server;
  let frontPort: number;
  const frontSaw: { text: string; ended: boolean }[] = [];
  let task: ConfinedTask;

  const inside = async (mode: 'ask' | 'say' | 'send' | 'hold', text = '', port = LISTEN_PORT) => {
    const { stdout } = await run('nsenter', [
      `--net=${task.networkNamespace}`,
      '--',
      process.execPath,
      '-e',
      CLIENT,
      mode,
      String(port),
      text,
    ]);
    return JSON.parse(stdout.trim()) as { received?: string; closed?: boolean; error?: string };
  };

  const listeningSocketOwner = (port: number) => listeningSocketOwnerIn(task.networkNamespace, port);

  beforeAll(async () => {
    const availability = detectConfinement();
    // Never skipped: CI runs these as root, and a machine that cannot confine must say so by failing.
    if (availability.mode !== 'root') throw new Error(`confinement unavailable: ${availability.reason}`);
    front = net.createServer((socket) => {
      const seen = { text: '', ended: false };
      frontSaw.push(seen);
      const hash = createHash('sha256');
      let bytes = 0;
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
        if (bytes >= BULK_BYTES) socket.end(`${bytes} ${hash.digest('hex')}`);
        if (bytes >= 64) return;
        seen.text += chunk.toString('utf8');
        if (seen.text === 'close') socket.end('bye');
        else socket.write(`echo ${seen.text}`);
      });
      socket.on('end', () => (seen.ended = true));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    frontPort = (front.address() as net.AddressInfo).port;
    task = await createConfinedTask({
      scratchBytes: 1024 * 1024,
      scratchOwner: { uid: 10001, gid: 10001 },
      forward: { listenPort: LISTEN_PORT, host: '127.0.0.1', port: frontPort },
    });
  });

  afterAll(async () => {
    await task?.close();
    front?.close();
  });

  it('leaves no process in the task network: only the namespaces holder is there', () => {
    expect(pidsInNetwork(task.networkNamespace)).toHaveLength(1);
  });

  it('carries bytes both ways and passes a close by the task side on to the far side', async () => {
    const before = frontSaw.length;
    expect(await inside('say', 'hello')).toEqual({ received: 'echo hello', closed: true });
    for (let i = 0; i < 40 && !frontSaw[before]?.ended; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(frontSaw[before]).toEqual({ text: 'hello', ended: true });
  });

  it('answers a task side that half-closes after its request', async () => {
    expect(await inside('send', 'half')).toEqual({ received: 'echo half', closed: true });
  });

  it('closes the task side when the far side closes', async () => {
    expect(await inside('ask', 'close')).toEqual({ received: 'bye', closed: true });
  });

  it('closes the task side when the far side cannot be reached', async () => {
    const closedFront = net.createServer();
    await new Promise<void>((resolve) => closedFront.listen(0, '127.0.0.1', resolve));
    const deadPort = (closedFront.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closedFront.close(() => resolve()));
    const unreachable = await createConfinedTask({
      scratchBytes: 1024 * 1024,
      scratchOwner: { uid: 10001, gid: 10001 },
      forward: { listenPort: LISTEN_PORT, host: '127.0.0.1', port: deadPort },
    });
    try {
      const { stdout } = await run('nsenter', [
        `--net=${unreachable.networkNamespace}`,
        '--',
        process.execPath,
        '-e',
        CLIENT,
        'hold',
        String(LISTEN_PORT),
      ]);
      expect(JSON.parse(stdout.trim())).toMatchObject({ closed: true });
    } finally {
      await unreachable.close();
    }
  });

  it('moves a large body intact (backpressure, not loss)', async () => {
    const bulk = `
const socket = require('node:net').connect(${LISTEN_PORT}, '127.0.0.1');
let reply = '';
socket.on('data', (chunk) => (reply += chunk));
socket.on('close', () => console.log(reply));
const block = Buffer.alloc(64 * 1024);
let sent = 0;
const hash = require('node:crypto').createHash('sha256');
(function write() {
  while (sent < ${BULK_BYTES}) {
    block.fill(sent % 251);
    hash.update(block);
    sent += block.length;
    if (!socket.write(Buffer.from(block))) return socket.once('drain', write);
  }
  process.stderr.write(hash.digest('hex'));
})();
`;
    const { stdout, stderr } = await run('nsenter', [
      `--net=${task.networkNamespace}`,
      '--',
      process.execPath,
      '-e',
      bulk,
    ]);
    expect(stdout.trim()).toBe(`${BULK_BYTES} ${stderr.trim()}`);
  });

  it('closes every connection it carried when the task closes, even one the far side never reads', async () => {
    // The far side takes the connection and never reads: the task side's end of stream then waits behind the
    // bytes queued for it, and only the task's close can end both connections.
    const stalled = net.createServer((socket) => {
      socket.pause();
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const stalledTask = await createConfinedTask({
      scratchBytes: 1024 * 1024,
      scratchOwner: { uid: 10001, gid: 10001 },
      forward: { listenPort: LISTEN_PORT, host: '127.0.0.1', port: (stalled.address() as net.AddressInfo).port },
    });
    try {
      const sender = execFile('nsenter', [
        `--net=${stalledTask.networkNamespace}`,
        '--',
        process.execPath,
        '-e',
        `const socket = require('node:net').connect(${LISTEN_PORT}, '127.0.0.1');
const block = Buffer.alloc(1024 * 1024);
(function write() { while (socket.write(block)); socket.once('drain', write); })();`,
      ]);
      const stalledPort = (stalled.address() as net.AddressInfo).port;
      for (let i = 0; i < 40 && heldConnectionsTo(stalledPort) === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(heldConnectionsTo(stalledPort)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      sender.kill('SIGKILL');
      await stalledTask.close();
      expect(heldConnectionsTo(stalledPort)).toBe(0);
    } finally {
      await stalledTask.close();
      stalled.close();
    }
  });

  it(`carries at most ${TASK_CONNECTIONS} connections of a task at once, however many it opens`, async () => {
    // Each carried connection holds kernel buffers in the host's network that no limit of the task counts.
    const holding = net.createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => holding.listen(0, '127.0.0.1', resolve));
    const holdingPort = (holding.address() as net.AddressInfo).port;
    const floodTask = await createConfinedTask({
      scratchBytes: 1024 * 1024,
      scratchOwner: { uid: 10001, gid: 10001 },
      forward: { listenPort: LISTEN_PORT, host: '127.0.0.1', port: holdingPort },
    });
    try {
      const opener = execFile('nsenter', [
        `--net=${floodTask.networkNamespace}`,
        '--',
        process.execPath,
        '-e',
        `for (let i = 0; i < ${TASK_CONNECTIONS * 4}; i++)
  require('node:net').connect(${LISTEN_PORT}, '127.0.0.1').on('error', () => undefined);
setInterval(() => undefined, 1000);`,
      ]);
      for (let i = 0; i < 60 && heldConnectionsTo(holdingPort) < TASK_CONNECTIONS; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Time for any connection past the bound to be carried, were it carried.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(heldConnectionsTo(holdingPort)).toBe(TASK_CONNECTIONS);
      opener.kill('SIGKILL');
    } finally {
      await floodTask.close();
      holding.close();
    }
  });

  it.each<TaskListenerStep>(['perl', 'node'])(
    'the %s step binds inside the task network as nobody and exits',
    async (step) => {
      const port = step === 'perl' ? 9101 : 9102;
      const server = await listenInTaskNetwork({ networkNamespace: task.networkNamespace, port, uid: 65534, step });
      try {
        server.on('connection', (socket) => socket.end(`${step} answered`));
        expect(server.address()).toEqual({ address: '127.0.0.1', family: 'IPv4', port });
        expect(pidsInNetwork(task.networkNamespace)).toHaveLength(1);
        expect(await listeningSocketOwner(port)).toBe(65534);
        expect(await inside('hold', '', port)).toEqual({ received: `${step} answered`, closed: true });
      } finally {
        server.close();
      }
    },
  );

  it.each<TaskListenerStep>(['perl', 'node'])('the %s step passes a non-blocking socket', async (step) => {
    const port = step === 'perl' ? 9103 : 9104;
    const server = await listenInTaskNetwork({ networkNamespace: task.networkNamespace, port, uid: 65534, step });
    try {
      // libuv accepts on the descriptor as it is; a blocking one blocks this whole process once its queue is empty.
      const { fd } = (server as unknown as { _handle: { fd: number } })._handle;
      const flags = Number.parseInt(
        /^flags:\s+(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? '',
        8,
      );
      expect(flags & 0o4000).toBe(0o4000);
    } finally {
      server.close();
    }
  });

  it('keeps the rehearsal turning when a task opens more connections than it has descriptors', async () => {
    // libuv answers EMFILE by accepting and closing every queued connection until accept would block: on a blocking
    // listener it blocks for good, and the whole rehearsal with it.
    const { stdout } = await run(
      'prlimit',
      [
        `--nofile=${FLOOD_DRIVER_DESCRIPTORS}:${FLOOD_DRIVER_DESCRIPTORS}`,
        '--',
        process.execPath,
        '--import',
        'tsx',
        FLOOD_DRIVER,
        String(FLOOD_DRIVER_DESCRIPTORS * 2),
      ],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 30_000, killSignal: 'SIGKILL' },
    );
    expect(JSON.parse(stdout.trim())).toEqual({ loopTurned: true, answer: 'echo ping' });
  }, 40_000);

  it('names the port and the step when it cannot bind', async () => {
    await expect(
      listenInTaskNetwork({ networkNamespace: task.networkNamespace, port: LISTEN_PORT, uid: 65534, step: 'perl' }),
    ).rejects.toThrow(/perl step.*127\.0\.0\.1:9000.*cannot bind 127\.0\.0\.1:9000/s);
  });
});
