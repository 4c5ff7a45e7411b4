import { execFile } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalEcs } from '../../src/aws/ecs/local-ecs.js';
import { containerSpecs } from '../../src/aws/ecs/task-definition.js';
import { createConfinedTask, detectConfinement } from '../../src/confinement/index.js';

/** Every listener the step passes, to make it fail here: no real accept error but EMFILE (libuv's) can be provoked. */
const listeners = vi.hoisted(() => [] as import('node:net').Server[]);
vi.mock('../../src/confinement/task-listener.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/confinement/task-listener.js')>();
  return {
    ...original,
    listenInTaskNetwork: async (...args: Parameters<typeof original.listenInTaskNetwork>) => {
      const server = await original.listenInTaskNetwork(...args);
      listeners.push(server);
      return server;
    },
  };
});

const run = promisify(execFile);
const LISTEN_PORT = 9000;
const PROBE = fileURLToPath(new URL('../aws/ecs/probe-container.mjs', import.meta.url));
/** Connects from inside the task's network and prints what happened: the answer, or the error's code. */
const CONNECT = `
const socket = require('node:net').connect(${LISTEN_PORT}, '127.0.0.1');
let received = '';
socket.on('data', (chunk) => (received += chunk));
socket.on('error', (error) => { console.log(error.code); process.exit(0); });
socket.on('close', () => console.log(received));
`;

describe("an accept error on a task network's listener", () => {
  let front: net.Server;

  beforeAll(async () => {
    const availability = detectConfinement();
    if (availability.mode !== 'root') throw new Error(`confinement unavailable: ${availability.reason}`);
    front = net.createServer((socket) => socket.end('front'));
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => front?.close());

  it("closes that task's listener and says why, without ending this process", async () => {
    const task = await createConfinedTask({
      scratchBytes: 1024 * 1024,
      scratchOwner: { uid: 10001, gid: 10001 },
      forward: { listenPort: LISTEN_PORT, front },
    });
    try {
      const listener = listeners.at(-1);
      const inTask = () => run('nsenter', [`--net=${task.networkNamespace}`, '--', process.execPath, '-e', CONNECT]);
      expect((await inTask()).stdout.trim()).toBe('front');
      // What libuv reports for an accept(2) failing with, say, ENOBUFS; with no 'error' listener emit() throws it.
      const failure = Object.assign(new Error('accept ENOBUFS'), { code: 'ENOBUFS', syscall: 'accept' });
      listener?.emit('error', failure);
      await expect(task.listenerFailed).resolves.toBe(failure);
      expect(listener?.listening).toBe(false);
      expect((await inTask()).stdout.trim()).toBe('ECONNREFUSED');
    } finally {
      await task.close();
    }
  });

  it('stops the task with the reason, so its run fails and the rest of the rehearsal goes on', async () => {
    const ecs = new LocalEcs(
      {
        family: 'test',
        arn: 'arn:aws:ecs:eu-west-1:222222222222:task-definition/test:1',
        executionRoleArn: 'arn:aws:iam::222222222222:role/exec',
        memoryMiB: 256,
        cpuUnits: 256,
        architecture: 'ARM64',
        containers: containerSpecs([
          {
            Name: 'run',
            User: '10001:10001',
            ReadonlyRootFilesystem: true,
            Command: ['run', 'hang-with-setsid-child'],
            MountPoints: [{ SourceVolume: 'scratch', ContainerPath: '/scratch', ReadOnly: false }],
            StopTimeout: 1,
          },
        ]),
      },
      {
        program: (c) => ({ program: PROBE, args: [c.name, ...c.command.slice(1)] }),
        confinement: {
          mode: 'root',
          scratchBytes: 4 * 1024 * 1024,
          wallClockMs: 30_000,
          forward: { listenPort: LISTEN_PORT, front },
        },
      },
    );
    try {
      const cluster = 'arn:aws:ecs:eu-west-1:222222222222:cluster/test';
      const failing = await ecs.runTask(cluster, 'run-1', []);
      const failingListener = listeners.at(-1);
      const other = await ecs.runTask(cluster, 'run-2', []);
      failingListener?.emit('error', Object.assign(new Error('accept ENOBUFS'), { code: 'ENOBUFS' }));
      await failing.stopped;
      expect(failing.describe()).toMatchObject({
        LastStatus: 'STOPPED',
        StopCode: 'TaskFailedToStart',
        StoppedReason: "the task network's listener failed, leaving no way out: accept ENOBUFS",
      });
      expect(other.describe().LastStatus).toBe('RUNNING');
      other.stop('the test is over');
      await other.stopped;
    } finally {
      ecs.close();
    }
  });
});
