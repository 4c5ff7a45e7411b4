// Started by task-listener.test.ts under `prlimit --nofile=<small>`: a task opens far more connections to the task
// network's listener than this process has descriptors for, then closes them; prints one JSON object saying whether
// this process's event loop kept turning meanwhile and whether the listener still carries a request afterwards.
// Argument: <connections to open>.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createConfinedTask } from '../../src/confinement/index.js';

const LISTEN_PORT = 9000;
const connections = Number(process.argv[2]);

/** Inside the task's network: opens `count` connections, prints how many opened, holds them until killed. */
const FLOOD = `
const net = require('node:net');
let settled = 0;
const settle = () => { if (++settled === Number(process.argv[1])) console.log('flooded'); };
for (let i = 0; i < Number(process.argv[1]); i++) {
  const socket = net.connect(${LISTEN_PORT}, '127.0.0.1', settle);
  socket.on('error', settle);
}
setInterval(() => undefined, 1000);
`;

/** Inside the task's network: one request, prints the answer. */
const ASK = `
const socket = require('node:net').connect(${LISTEN_PORT}, '127.0.0.1', () => socket.write('ping'));
let answer = '';
socket.on('data', (chunk) => { answer += chunk; socket.end(); });
socket.on('close', () => console.log(answer));
`;

const inTask = (networkNamespace: string, program: string, ...args: string[]) =>
  // pdeathsig: a hung driver killed by the test takes its task-side clients with it.
  spawn(
    'setpriv',
    ['--pdeathsig', 'KILL', 'nsenter', `--net=${networkNamespace}`, '--', process.execPath, '-e', program, ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );

// The front's stand-in, handed each connection: echoes, and ends its side once the task's has ended (as http does).
const front = net.createServer({ allowHalfOpen: true }, (socket) => {
  socket.on('data', (chunk) => socket.write(`echo ${chunk}`));
  socket.on('end', () => socket.end());
  socket.on('error', () => undefined);
});
await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
const task = await createConfinedTask({
  scratchBytes: 1024 * 1024,
  scratchOwner: { uid: 10001, gid: 10001 },
  forward: { listenPort: LISTEN_PORT, front },
});
// Counts 10 ms turns of this process's event loop: a blocked loop (a blocking accept) stops counting.
let turns = 0;
const ticker = setInterval(() => turns++, 10);
const flood = inTask(task.networkNamespace, FLOOD, String(connections));
await new Promise<void>((resolve) =>
  flood.stdout.on('data', (chunk: Buffer) => chunk.includes('flooded') && resolve()),
);
const turnsBefore = turns;
await new Promise((resolve) => setTimeout(resolve, 500));
const loopTurned = turns > turnsBefore;
flood.kill('SIGKILL');
await new Promise((resolve) => flood.on('close', resolve));
await new Promise((resolve) => setTimeout(resolve, 500));
const ask = inTask(task.networkNamespace, ASK);
let answer = '';
ask.stdout.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
await new Promise((resolve) => ask.on('close', resolve));
clearInterval(ticker);
console.log(JSON.stringify({ loopTurned, answer: answer.trim() }));
await task.close();
front.close();
