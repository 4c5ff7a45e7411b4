import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOCKET_BUFFER_BYTES, TASK_CONNECTIONS } from '../../src/confinement/confined-task.js';
import { createConfinedTask, detectConfinement, type ConfinedTask } from '../../src/confinement/index.js';
import {
  LISTENER_STEP_TIMEOUT_MS,
  listenInTaskNetwork,
  type TaskListenerStep,
} from '../../src/confinement/task-listener.js';

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

/**
 * Kernel memory of the TCP sockets of a network namespace (`ss -tm`): what their receive queues hold (`r`), what
 * their send queues hold (`w`), and the largest buffer any of them may grow to (`rb`, `tb`).
 */
async function socketMemoryIn(namespace: string): Promise<{ sockets: number; queued: number; largestBuffer: number }> {
  const { stdout } = await run('nsenter', [`--net=${namespace}`, '--', 'ss', '-tmnaH']);
  const rows = [...stdout.matchAll(/skmem:\(r(\d+),rb(\d+),t\d+,tb(\d+),f\d+,w(\d+)/g)].map((m) =>
    m.slice(1).map(Number),
  );
  return {
    sockets: rows.length,
    queued: rows.reduce((sum, [r = 0, , , w = 0]) => sum + r + w, 0),
    largestBuffer: Math.max(0, ...rows.map(([, rb = 0, tb = 0]) => Math.max(rb, tb))),
  };
}

/** Host pids whose command line names `path` (the hung step's). */
function pidsHolding(path: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const listening = async (server: net.Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
};

const waitFor = async (condition: () => boolean, ms = 3000) => {
  for (let waited = 0; waited < ms && !condition(); waited += 50) await new Promise((r) => setTimeout(r, 50));
};

describe("the task network's listener (root mode)", () => {
  /**
   * The far side, standing in for the S3 front (it is handed each connection, as the front's http.Server is): echoes
   * a moment later, closes on "close", ends its side once the task's side has ended (as an http server does after
   * its answer), and records what it saw.
   */
  let front: net.Server;
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
    front = net.createServer({ allowHalfOpen: true }, (socket) => {
      const seen = { text: '', ended: false };
      frontSaw.push(seen);
      const hash = createHash('sha256');
      let bytes = 0;
      let pending = 0;
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
        if (bytes >= BULK_BYTES) socket.end(`${bytes} ${hash.digest('hex')}`);
        if (bytes >= 64) return;
        seen.text += chunk.toString('utf8');
        const text = seen.text;
        pending++;
        // Answered later, as the front answers once it has authorized: after a half-close has arrived.
        setTimeout(() => {
          pending--;
          if (socket.destroyed || socket.writableEnded) return;
          if (text === 'close') socket.end('bye');
          else socket.write(`echo ${text}`);
          if (seen.ended && pending === 0) socket.end();
        }, 100);
      });
      socket.on('end', () => {
        seen.ended = true;
        if (pending === 0) socket.end();
      });
      socket.on('error', () => undefined);
    });
    await listening(front);
    task = await createConfinedTask({
      scratchBytes: 1024 * 1024,
      scratchOwner: { uid: 10001, gid: 10001 },
      forward: { listenPort: LISTEN_PORT, front },
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

  it('closes the task side while the front is not listening (closed), and hands it nothing', async () => {
    const closedFront = net.createServer();
    const handed: net.Socket[] = [];
    closedFront.on('connection', (socket: net.Socket) => handed.push(socket));
    const unreachable = await createConfinedTask({
      scratchBytes: 1024 * 1024,
      scratchOwner: { uid: 10001, gid: 10001 },
      forward: { listenPort: LISTEN_PORT, front: closedFront },
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
      expect(handed).toHaveLength(0);
    } finally {
      await unreachable.close();
    }
  });

  it("hands the task's own socket to the front's http.Server: no connection in the host's network", async () => {
    // The front as the rehearsal's is: an http.Server. Before, each task connection was carried to it over a second,
    // host-side loopback connection whose kernel buffers no limit of the task counted.
    let seen: { localPort?: number; hostConnections: number } | undefined;
    const httpFront = http.createServer((request, response) => {
      seen = { localPort: request.socket.localPort, hostConnections: heldConnectionsTo(httpPort) };
      response.end(`front saw ${request.url}`);
    });
    const httpPort = await listening(httpFront);
    const httpTask = await createConfinedTask({
      scratchBytes: 1024 * 1024,
      scratchOwner: { uid: 10001, gid: 10001 },
      forward: { listenPort: LISTEN_PORT, front: httpFront },
    });
    try {
      const { stdout } = await run('nsenter', [
        `--net=${httpTask.networkNamespace}`,
        '--',
        process.execPath,
        '-e',
        `fetch('http://127.0.0.1:${LISTEN_PORT}/through').then(async (r) => process.stdout.write(r.status + ' ' + (await r.text())));`,
      ]);
      expect(stdout.trim()).toBe('200 front saw /through');
      // The socket the front served is the one the task connected to (127.0.0.1:LISTEN_PORT in the task's network).
      expect(seen).toEqual({ localPort: LISTEN_PORT, hostConnections: 0 });
    } finally {
      await httpTask.close();
      httpFront.close();
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

  it('closes every connection it carried when the task closes, even one the front never reads', async () => {
    // The front takes the connection and never reads: the task side's end of stream then waits behind the bytes
    // queued for it, and only the task's close can end the connection.
    const handed: net.Socket[] = [];
    const stalled = net.createServer((socket) => {
      handed.push(socket);
      socket.pause();
      socket.on('error', () => undefined);
    });
    const stalledPort = await listening(stalled);
    const stalledTask = await createConfinedTask({
      scratchBytes: 1024 * 1024,
      scratchOwner: { uid: 10001, gid: 10001 },
      forward: { listenPort: LISTEN_PORT, front: stalled },
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
      await waitFor(() => handed.length > 0);
      expect(handed).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      sender.kill('SIGKILL');
      await stalledTask.close();
      expect(handed.map((socket) => socket.destroyed)).toEqual([true]);
      expect(heldConnectionsTo(stalledPort)).toBe(0);
    } finally {
      await stalledTask.close();
      stalled.close();
    }
  });

  it(`carries at most ${TASK_CONNECTIONS} connections of a task at once, however many it opens, each in the task's small buffers`, async () => {
    // Each carried connection costs this process a descriptor and the front up to a request body's bound; the front
    // here never reads, so every connection fills its queues.
    const handed: net.Socket[] = [];
    const holding = net.createServer((socket) => {
      handed.push(socket);
      socket.pause();
      socket.on('error', () => undefined);
    });
    const holdingPort = await listening(holding);
    const floodTask = await createConfinedTask({
      scratchBytes: 1024 * 1024,
      scratchOwner: { uid: 10001, gid: 10001 },
      forward: { listenPort: LISTEN_PORT, front: holding },
    });
    try {
      const opener = execFile('nsenter', [
        `--net=${floodTask.networkNamespace}`,
        '--',
        process.execPath,
        '-e',
        `const block = Buffer.alloc(1024 * 1024);
for (let i = 0; i < ${TASK_CONNECTIONS * 4}; i++) {
  const socket = require('node:net').connect(${LISTEN_PORT}, '127.0.0.1');
  socket.on('error', () => undefined);
  (function write() { while (socket.write(block)); socket.once('drain', write); })();
}
setInterval(() => undefined, 1000);`,
      ]);
      const live = () => handed.filter((socket) => !socket.destroyed).length;
      await waitFor(() => live() >= TASK_CONNECTIONS);
      // Time for any connection past the bound to be carried, were it carried, and for every queue to fill.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(live()).toBe(TASK_CONNECTIONS);
      // Nothing of it is in the host's network; in the task's, no socket may queue more than its small buffers.
      expect(heldConnectionsTo(holdingPort)).toBe(0);
      const memory = await socketMemoryIn(floodTask.networkNamespace);
      expect(memory.largestBuffer).toBeLessThanOrEqual(SOCKET_BUFFER_BYTES);
      opener.kill('SIGKILL');
    } finally {
      await floodTask.close();
      holding.close();
    }
  });

  it("holds no more than the task's small buffers for a task that never reads a large answer", async () => {
    // The front answers every request with 64 MiB, streamed with backpressure, as the S3 front pipes s3rver's answer;
    // the task opens connections past the bound, asks on each and never reads.
    const ANSWER_BYTES = 64 * 1024 * 1024;
    const answers: http.ServerResponse[] = [];
    const answering = http.createServer((_request, response) => {
      answers.push(response);
      response.writeHead(200, { 'content-length': ANSWER_BYTES });
      let sent = 0;
      Readable.from(
        (function* () {
          for (; sent < ANSWER_BYTES; sent += 64 * 1024) yield Buffer.alloc(64 * 1024);
        })(),
      ).pipe(response);
    });
    const answeringPort = await listening(answering);
    const stallTask = await createConfinedTask({
      scratchBytes: 1024 * 1024,
      scratchOwner: { uid: 10001, gid: 10001 },
      forward: { listenPort: LISTEN_PORT, front: answering },
    });
    try {
      const asker = execFile('nsenter', [
        `--net=${stallTask.networkNamespace}`,
        '--',
        process.execPath,
        '-e',
        `for (let i = 0; i < ${TASK_CONNECTIONS * 2}; i++) {
  const socket = require('node:net').connect(${LISTEN_PORT}, '127.0.0.1', () => socket.write('GET /big HTTP/1.1\\r\\nhost: x\\r\\n\\r\\n'));
  socket.on('error', () => undefined);
  socket.pause();
}
setInterval(() => undefined, 1000);`,
      ]);
      await waitFor(() => answers.length >= TASK_CONNECTIONS);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(answers).toHaveLength(TASK_CONNECTIONS);
      expect(heldConnectionsTo(answeringPort)).toBe(0);
      const memory = await socketMemoryIn(stallTask.networkNamespace);
      // Each carried connection queues at most its two sockets' buffers each way, in the task's network.
      expect(memory.largestBuffer).toBeLessThanOrEqual(SOCKET_BUFFER_BYTES);
      expect(memory.queued).toBeLessThanOrEqual(TASK_CONNECTIONS * 4 * SOCKET_BUFFER_BYTES);
      // And this process holds no more than each answer's stream buffers: backpressure, not the 64 MiB.
      const buffered = answers.reduce((sum, response) => sum + (response.socket?.writableLength ?? 0), 0);
      expect(buffered).toBeLessThanOrEqual(TASK_CONNECTIONS * 256 * 1024);
      asker.kill('SIGKILL');
    } finally {
      await stallTask.close();
      answering.close();
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

  it.each<TaskListenerStep>(['perl', 'node'])(
    'kills a %s step that never passes the socket, and says so, within its bound',
    async (step) => {
      // A FIFO as the namespace: nsenter's open of it blocks until a writer comes, which is never. A real hang of the
      // step, with no seam in the step itself.
      const dir = mkdtempSync(join(tmpdir(), 'airlock-hung-step-'));
      const fifo = join(dir, 'net');
      await run('mkfifo', [fifo]);
      try {
        const started = performance.now();
        await expect(
          listenInTaskNetwork({ networkNamespace: fifo, port: 9105, uid: 65534, step, timeoutMs: 500 }),
        ).rejects.toThrow(
          new RegExp(`\\(${step} step\\) did not pass 127\\.0\\.0\\.1:9105 and exit within 500 ms; it was killed`),
        );
        expect(performance.now() - started).toBeLessThan(LISTENER_STEP_TIMEOUT_MS);
        await waitFor(() => pidsHolding(fifo).length === 0, 1000);
        expect(pidsHolding(fifo)).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('names the port and the step when it cannot bind', async () => {
    await expect(
      listenInTaskNetwork({ networkNamespace: task.networkNamespace, port: LISTEN_PORT, uid: 65534, step: 'perl' }),
    ).rejects.toThrow(/perl step.*127\.0\.0\.1:9000.*cannot bind 127\.0\.0\.1:9000/s);
  });
});
