import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A throwaway git repository holding the workspace's current files (tracked and untracked, not ignored) in one
 * commit, sharing this workspace's node_modules; Nx runs there with its own cache and no daemon.
 */
export class ScratchWorkspace {
  readonly root = mkdtempSync(join(tmpdir(), 'airlock-ws-'));

  constructor() {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: workspaceRoot,
    })
      .toString()
      .split('\0')
      .filter(Boolean);
    for (const file of files) {
      mkdirSync(dirname(join(this.root, file)), { recursive: true });
      cpSync(join(workspaceRoot, file), join(this.root, file));
    }
    symlinkSync(join(workspaceRoot, 'node_modules'), join(this.root, 'node_modules'));
    this.git('init', '--quiet', '--initial-branch=main');
    this.commitAll('baseline');
  }

  git(...args: string[]): string {
    return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], {
      cwd: this.root,
    }).toString();
  }

  commitAll(message: string): void {
    this.git('add', '--all');
    this.git('commit', '--quiet', '--allow-empty', '-m', message);
  }

  /** `nx show projects --affected` between the last commit and its parent. */
  affectedByLastCommit(): string[] {
    const nx = join(workspaceRoot, 'node_modules/nx/dist/bin/nx.js');
    const out = execFileSync(
      process.execPath,
      [nx, 'show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json'],
      this.nxOptions(),
    );
    return (JSON.parse(out.toString()) as string[]).sort();
  }

  /** What Nx hashes for a task (`nx show target inputs`): workspace files, and files of dependent tasks' outputs. */
  taskInputs(task: string): { files: string[]; depOutputs: string[] } {
    const nx = join(workspaceRoot, 'node_modules/nx/dist/bin/nx.js');
    const out = execFileSync(process.execPath, [nx, 'show', 'target', 'inputs', task, '--json'], this.nxOptions());
    return JSON.parse(out.toString()) as { files: string[]; depOutputs: string[] };
  }

  /** What the deploy workflows' step (tools/scripts/is-affected.mjs) answers for each project for the last commit. */
  isAffected(projects: string[]): string[] {
    const options = this.nxOptions();
    return execFileSync(process.execPath, ['tools/scripts/is-affected.mjs', ...projects], {
      ...options,
      env: { ...options.env, NX_BASE: 'HEAD~1', NX_HEAD: 'HEAD' },
    })
      .toString()
      .trim()
      .split('\n');
  }

  private nxOptions() {
    return {
      cwd: this.root,
      env: {
        ...process.env,
        NX_DAEMON: 'false',
        NX_NO_CLOUD: 'true',
        // Without plugin workers each Nx start costs half the CPU; the project graph is the same.
        NX_ISOLATE_PLUGINS: 'false',
        NX_CACHE_DIRECTORY: join(this.root, '.nx-test/cache'),
        NX_WORKSPACE_DATA_DIRECTORY: join(this.root, '.nx-test/data'),
      },
    };
  }
}
