import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ContainerRun {
  readonly exitCode: number | null;
  readonly output: string;
}

/**
 * Runs a container's program as a child process whose environment is the container overrides and nothing else
 * (no credentials, no AWS variables), in a fresh scratch directory, as Fargate would run the image.
 */
export function runContainer(
  program: string,
  overrides: Readonly<Record<string, string>>,
  args: readonly string[] = [],
): Promise<ContainerRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'airlock-task-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [program, ...args], {
      env: { ...overrides, SCRATCH_DIR: scratch },
      cwd: scratch,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('close', (exitCode) => resolve({ exitCode, output }));
  });
}
