import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { TailBuffer } from './tail-buffer.js';

export interface Execution {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly stdout: { readonly tail: string; readonly bytes: number };
  readonly stderr: { readonly tail: string; readonly bytes: number };
}

export interface ExecuteOptions {
  readonly cwd: string;
  /** The submission's whole environment: it inherits nothing from the runner, least of all the presigned URLs. */
  readonly env: Readonly<Record<string, string>>;
  /** Epoch ms at which the submission and everything it started is killed. */
  readonly killAt: number;
  readonly tailBytes: number;
}

/** Runs the submission's entrypoint in its own process group, killed outright at the deadline. */
export function execute(entrypoint: readonly [string, ...string[]], options: ExecuteOptions): Promise<Execution> {
  const started = Date.now();
  const stdout = new TailBuffer(options.tailBytes);
  const stderr = new TailBuffer(options.tailBytes);
  const [command, ...args] = entrypoint;
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      // `node` resolves to the runtime the runner itself uses, in the image and in the rehearsal alike.
      env: { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, ...options.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(
      () => {
        timedOut = true;
        killGroup();
      },
      Math.max(0, options.killAt - Date.now()),
    );
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const finish = (exitCode: number | null, signal: string | null) => {
      clearTimeout(timer);
      killGroup(); // Leave no background process of the submission behind.
      resolve({
        exitCode,
        signal,
        timedOut,
        durationMs: Date.now() - started,
        stdout: { tail: stdout.text(), bytes: stdout.bytes },
        stderr: { tail: stderr.text(), bytes: stderr.bytes },
      });
    };
    child.on('error', (error) => {
      stderr.push(Buffer.from(`cannot start entrypoint: ${error.message}\n`));
      finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}
