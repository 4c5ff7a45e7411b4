import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** `nx run-many -t synth` failed; its captured output has been written to stderr. */
export class SynthesisFailed extends Error {}

export interface SynthesizeOptions {
  /** Where progress lines go. @default process.stderr */
  readonly progress?: NodeJS.WritableStream;
  /** Quiet this long before the first progress line (a cached synth answers in about a second). @default 3000 */
  readonly quietMs?: number;
  /** How often a long synth says it is still working. @default 5000 */
  readonly heartbeatMs?: number;
}

/**
 * Brings the three account apps' cloud assemblies up to date (`nx run-many -t synth`, answered from the Nx cache
 * when nothing changed) before a tool reads them. Nx's own output is captured and shown only on failure, so the
 * tool's stdout stays its own (`--json`); a long synth prints progress on stderr instead of going silent.
 * Inside an Nx task (`NX_TASK_TARGET_PROJECT` set) the task's `dependsOn` has already synthesized: nothing to do.
 */
export async function synthesizeAccountApps(workspaceRoot: string, options: SynthesizeOptions = {}): Promise<void> {
  if (process.env.NX_TASK_TARGET_PROJECT) return;
  const progress = options.progress ?? process.stderr;
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  const child = spawn(
    join(workspaceRoot, 'node_modules', '.bin', 'nx'),
    ['run-many', '-t', 'synth', '--projects=tag:type:app', '--output-style=static'],
    { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NX_DAEMON: 'false' } },
  );
  const output: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
  let heartbeat: NodeJS.Timeout | undefined;
  const firstLine = setTimeout(() => {
    progress.write('synthesizing the three account apps (nx run-many -t synth)…\n');
    heartbeat = setInterval(
      () => progress.write(`  still synthesizing, ${seconds()} s\n`),
      options.heartbeatMs ?? 5_000,
    );
  }, options.quietMs ?? 3_000);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? 1));
  }).finally(() => {
    clearTimeout(firstLine);
    clearInterval(heartbeat);
  });
  if (code !== 0) {
    progress.write(Buffer.concat(output));
    throw new SynthesisFailed(`synth of the account apps failed (exit ${code}); its output is above`);
  }
  if (heartbeat) progress.write(`synthesized in ${seconds()} s\n`);
}
