import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { TailBuffer } from '../tail-buffer.js';
import { killUntilAlone } from './process-namespace.js';
import type { RunnerExecution } from '@airlock/contracts';

export interface SuperviseOptions {
  readonly cwd: string;
  /** The submission's whole environment: it inherits nothing from the supervisor. */
  readonly env: Readonly<Record<string, string>>;
  /** Epoch ms at which the submission and everything it started is killed. */
  readonly killAt: number;
  readonly tailBytes: number;
  /** Aborted when the task is being stopped (SIGTERM): kill everything now. */
  readonly stop: AbortSignal;
}

export interface Supervised {
  readonly execution: RunnerExecution;
  readonly stopped: boolean;
  /** PIDs still alive after the kill; empty unless the kill failed. */
  readonly survivors: readonly number[];
}

/** How long the kill may take to leave the namespace empty, and the pipes to drain after it. */
const KILL_GRACE_MS = 2_000;

/**
 * Runs the entrypoint as PID 1's child. When its main process exits, at `killAt`, or when `stop` aborts, everything
 * in the namespace is killed (a child in its own session or group included) before the outcome is returned.
 */
export async function supervise(entrypoint: readonly string[], options: SuperviseOptions): Promise<Supervised> {
  const started = Date.now();
  const stdout = new TailBuffer(options.tailBytes);
  const stderr = new TailBuffer(options.tailBytes);
  const [command = '', ...args] = entrypoint;
  const child = spawn(command, args, {
    cwd: options.cwd,
    // `node` resolves to the runtime the runner itself uses, in the image and in tests alike.
    env: { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const pipesClosed = Promise.all([once(child.stdout, 'close'), once(child.stderr, 'close')]);

  let timedOut = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const ended = await new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => {
    child.on('exit', (exitCode, signal) => resolve({ exitCode, signal }));
    child.on('error', (error) => {
      stderr.push(Buffer.from(`cannot start entrypoint: ${error.message}\n`));
      resolve({ exitCode: null, signal: null });
    });
    const end = (reason: 'deadline' | 'stop') => {
      if (reason === 'deadline') timedOut = true;
      else stopped = true;
      // The main process's own exit then resolves, with SIGKILL as its signal.
      void killUntilAlone(KILL_GRACE_MS);
    };
    timer = setTimeout(() => end('deadline'), Math.max(0, options.killAt - Date.now()));
    if (options.stop.aborted) end('stop');
    else options.stop.addEventListener('abort', () => end('stop'), { once: true });
  });
  clearTimeout(timer);
  const durationMs = Date.now() - started;
  const left = await killUntilAlone(KILL_GRACE_MS);
  // Every writer of the pipes is dead unless something survived; do not wait on those.
  await Promise.race([pipesClosed, delay(KILL_GRACE_MS, undefined, { ref: false })]);
  return {
    execution: {
      ...ended,
      timedOut,
      durationMs,
      stdout: { tail: stdout.text(), bytes: stdout.bytes },
      stderr: { tail: stderr.text(), bytes: stderr.bytes },
    },
    stopped,
    survivors: left,
  };
}
