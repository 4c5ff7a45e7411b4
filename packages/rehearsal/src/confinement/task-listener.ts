import { spawn } from 'node:child_process';
import net from 'node:net';
import { hasPerl } from './perl-launch-step.js';

/** The system calls the Perl step makes, where the rehearsal knows their numbers (arm64 uses the generic table). */
interface SocketCalls {
  readonly socket: number;
  readonly bind: number;
  readonly listen: number;
  readonly sendmsg: number;
}
const CALLS: Readonly<Partial<Record<NodeJS.Architecture, SocketCalls>>> = {
  x64: { socket: 41, bind: 49, listen: 50, sendmsg: 46 },
  arm64: { socket: 198, bind: 200, listen: 201, sendmsg: 211 },
};

/**
 * Opens a listening socket inside a task's network namespace and passes it to this process, as a `net.Server`, over
 * Node's IPC channel (the child's fd 3): the message is Node's own `{"cmd":"NODE_HANDLE","type":"net.Server"}`
 * frame with the socket attached as SCM_RIGHTS, which is what `subprocess.send(message, server)` writes, and the
 * step exits once this process acknowledges it (`NODE_HANDLE_ACK`). Core Perl has no sendmsg with ancillary data,
 * so it makes the system calls itself with the structures packed by hand (sockaddr_in, msghdr, iovec and cmsghdr
 * are laid out alike on x86-64 and arm64); without `use Socket` it loads no module (~20 ms less under load).
 */
const PERL_PROGRAM = [
  'my ($port, $socket, $bind, $listen, $sendmsg) = @ARGV;',
  // socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0); the descriptor is a number here. Non-blocking because libuv
  // accepts on it as it comes: on EMFILE it accepts until accept would block, which on a blocking socket is forever.
  'my $listener = syscall($socket, 2, 1 | 2048, 0);',
  '$listener >= 0 or die "airlock: cannot create the task network\x27s socket: $!\n";',
  // sockaddr_in: AF_INET, the port in network order, 127.0.0.1, zero padding.
  'my $address = pack("S n C4 x8", 2, $port, 127, 0, 0, 1);',
  'syscall($bind, $listener, $address, length $address) == 0 or die "airlock: cannot bind 127.0.0.1:$port in the task network: $!\n";',
  'syscall($listen, $listener, 511) == 0 or die "airlock: cannot listen on 127.0.0.1:$port in the task network: $!\n";',
  `my $message = qq({"cmd":"NODE_HANDLE","type":"net.Server","msg":"listening"}\n);`,
  'my $data = pack("P Q", $message, length $message);',
  // cmsghdr: cmsg_len = CMSG_LEN(sizeof(int)) = 20, SOL_SOCKET = 1, SCM_RIGHTS = 1, the descriptor, padding to 24.
  'my $control = pack("Q i i i x4", 20, 1, 1, $listener);',
  // msghdr: no name, one iovec, the control message, no flags.
  'my $header = pack("Q L x4 P Q P Q i x4", 0, 0, $data, 1, $control, length $control, 0);',
  'syscall($sendmsg, 3, $header, 0) == length $message or die "airlock: cannot pass the listening socket: $!\n";',
  'open(my $channel, "<&=", 3) or die "airlock: cannot read the IPC channel: $!\n";',
  'my $answer = "";',
  'while ($answer !~ /\n/) { sysread($channel, $answer, 512, length $answer) or die "airlock: no acknowledgement of the listening socket\n"; }',
  '$answer =~ /"NODE_HANDLE_ACK"/ or die "airlock: the listening socket was refused: $answer";',
].join(' ');

/** The same with Node's documented API, where there is no Perl or its system call numbers are unknown (~90 ms more CPU). */
const NODE_PROGRAM = [
  "const server = require('node:net').createServer();",
  "server.on('error', (error) => { process.stderr.write(`airlock: ${error.message}\\n`); process.exit(1); });",
  "server.listen(Number(process.argv[1]), '127.0.0.1', () => process.send('listening', server));",
  "process.on('disconnect', () => process.exit(0));",
].join(' ');

/** Which program opens the socket: `perl` (a few ms of CPU) where it can, else `node`. */
export type TaskListenerStep = 'perl' | 'node';

export function defaultTaskListenerStep(): TaskListenerStep {
  return CALLS[process.arch] !== undefined && hasPerl() ? 'perl' : 'node';
}

/**
 * How long the step may take to pass the socket and exit. It takes tens of milliseconds (a few hundred under heavy
 * load); one that never does (a namespace file that blocks on open, a step stopped or starved) would otherwise hang
 * the task's start, and its RunTask, for good.
 */
export const LISTENER_STEP_TIMEOUT_MS = 5_000;

export interface TaskListenerOptions {
  /** `/proc/<holder>/ns/net` of the task. */
  readonly networkNamespace: string;
  /** `user` mode: the task's user namespace, which must be joined to enter its network. */
  readonly userNamespace?: string;
  /** Port on 127.0.0.1 inside the task's network. */
  readonly port: number;
  /** uid and gid of the step in `root` mode (it has no capability either way). */
  readonly uid: number;
  /** @default defaultTaskListenerStep() */
  readonly step?: TaskListenerStep;
  /** After this long the step is killed (SIGKILL) and the promise rejects. @default LISTENER_STEP_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/**
 * The task network's one listening socket, held by this process: a short-lived step enters the task's network
 * namespace (only that one: it never shares a container's PID or mount namespace), drops to `uid` without
 * capabilities and with no_new_privs, binds 127.0.0.1:`port`, passes the socket here and exits. No process stays in
 * the task's network; the socket stays in it, so only the task's containers can connect to it.
 */
export function listenInTaskNetwork(options: TaskListenerOptions): Promise<net.Server> {
  const step = options.step ?? defaultTaskListenerStep();
  const calls = CALLS[process.arch];
  const program =
    step === 'perl' && calls !== undefined
      ? [
          'perl',
          '-e',
          PERL_PROGRAM,
          ...[options.port, calls.socket, calls.bind, calls.listen, calls.sendmsg].map(String),
        ]
      : [process.execPath, '-e', NODE_PROGRAM, String(options.port)];
  const { userNamespace } = options;
  const child = spawn(
    'setpriv',
    [
      '--pdeathsig',
      'KILL',
      'nsenter',
      // Without root the task's user namespace must be joined to enter its network; the step is then the invoking
      // user (uid 0 of the task's namespace, no capabilities left), as every process of the task is.
      ...(userNamespace ? ['--preserve-credentials', `--user=${userNamespace}`] : []),
      `--net=${options.networkNamespace}`,
      '--',
      'setpriv',
      ...(userNamespace ? [] : [`--reuid=${options.uid}`, `--regid=${options.uid}`, '--clear-groups']),
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      '--',
      ...program,
    ],
    { env: {}, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
  );
  const timeoutMs = options.timeoutMs ?? LISTENER_STEP_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let stderr = '';
    let server: net.Server | undefined;
    let settled = false;
    const settle = (outcome: net.Server | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome instanceof Error) {
        server?.close();
        reject(outcome);
      } else resolve(outcome);
    };
    const failure = (exit: number | string | null) =>
      new Error(
        `the task network's listener (${step} step) exited (${exit}) without passing 127.0.0.1:${options.port}: ${stderr.trim()}`,
      );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(
        new Error(
          `the task network's listener (${step} step) did not pass 127.0.0.1:${options.port} and exit within ${timeoutMs} ms; it was killed: ${stderr.trim()}`,
        ),
      );
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('message', (message, handle) => {
      if (message !== 'listening' || !(handle instanceof net.Server)) return;
      // A socket passed after the step timed out is nobody's: closed here, not left listening in the task's network.
      if (settled) return void handle.close();
      server = handle;
      // The Node step exits when its channel ends; Perl's has read the acknowledgement and exits by itself.
      if (child.connected) child.disconnect();
    });
    child.on('error', settle);
    child.on('exit', (code, signal) => {
      if (server && code === 0) settle(server);
      else if (server) settle(failure(code ?? signal));
      // Its stderr is whole once the process's streams have closed (no disconnect was asked for: 'close' comes).
      else child.on('close', () => settle(failure(code ?? signal)));
    });
  });
}
