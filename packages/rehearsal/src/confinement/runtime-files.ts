import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';

/** A host file bound read-only into a container's root at the same path. */
export interface RuntimeFile {
  /** Where the container sees it (the path the dynamic loader or the launcher asks for). */
  readonly path: string;
  /** The host file behind it (symlinks resolved). */
  readonly source: string;
}

/** The host's system tool directories: the confinement's own commands never come from a user's PATH. */
export const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
/** Where the container finds the Node runtime and the launcher. */
export const NODE_PATH = '/usr/bin/node';
export const SETPRIV_PATH = '/usr/bin/setpriv';

let cached: readonly RuntimeFile[] | undefined;

/**
 * What the image holds besides the image root's own files: the Node binary, `setpriv` (the last launch step runs
 * inside the new root; it holds no privilege: no setuid bit, and no_new_privs is set) and the shared libraries both
 * load, as `ldd` lists them. Nothing else of the host's file system is visible.
 */
export function runtimeFiles(): readonly RuntimeFile[] {
  cached ??= [
    { path: NODE_PATH, source: realpathSync(process.execPath) },
    { path: SETPRIV_PATH, source: realpathSync(hostTool('setpriv')) },
    ...[process.execPath, hostTool('setpriv')].flatMap(sharedLibraries),
  ].filter((file, index, all) => all.findIndex((other) => other.path === file.path) === index);
  return cached;
}

function hostTool(name: string): string {
  return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
}

/** `ldd` lines look like "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)". */
function sharedLibraries(binary: string): RuntimeFile[] {
  const output = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...output.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((match) => {
    const path = match[1] ?? '';
    return { path, source: realpathSync(path) };
  });
}
