import { spawn } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Exited } from './pid-namespace.js';

/** The uid and gid the task definition gives every container. */
export const TASK_UID = 10001;

/**
 * Spawns `node <bundle> <args>` as Fargate starts the run container: PID 1 of its own PID namespace with its own
 * /proc, uid and gid 10001 with no capabilities at all, and a network namespace of its own with loopback up (the
 * task's, shared with nothing here). As root, the suite's own uid, every permission-based defence would be bypassed.
 */
export function spawnAsTaskUser(bundle: string, args: readonly string[], env: Record<string, string>) {
  const dropToTaskUser = [
    'setpriv',
    `--reuid=${TASK_UID}`,
    `--regid=${TASK_UID}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
  ];
  const child = spawn(
    'unshare',
    [
      '--pid',
      '--fork',
      '--mount-proc',
      '--net',
      '/bin/sh',
      '-c',
      // `exec` keeps node as PID 1.
      'ip link set lo up && exec "$@"',
      'sh',
      ...dropToTaskUser,
      process.execPath,
      bundle,
      ...args,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<Exited & { stdout: string }>((resolve) =>
    child.on('close', (status) => resolve({ status, stderr, stdout })),
  );
  return { child, exited };
}

/** Hands a scratch volume prepared by the suite (as root) to the task user, as the image's VOLUME does on Fargate. */
export function giveToTaskUser(root: string): void {
  chownSync(root, TASK_UID, TASK_UID);
  chmodSync(root, 0o755);
  for (const entry of readdirSync(root)) {
    const path = join(root, entry);
    if (lstatSync(path).isDirectory()) giveToTaskUser(path);
    else chownSync(path, TASK_UID, TASK_UID);
  }
}
