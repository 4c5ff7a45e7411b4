import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ScratchWorkspace, workspaceRoot } from './workspace.js';

// Each command as a person types it, from the workspace root. AIRLOCK_ENV names no environment file, so a command
// that got as far as loading the environment (or synthesizing) would fail instead of answering.
const COMMANDS = {
  'npm start': ['npm', 'start', '-s', '--'],
  'npm run review': ['npm', 'run', '-s', 'review', '--'],
  airlock: ['npm', 'run', '-s', 'airlock', '--'],
  'airlock-deploy': ['node', 'tools/deploy/bin/airlock-deploy.mjs'],
} as const;

// Each test starts a command through npm and tsx: seconds on an idle machine, over a minute on a loaded one.
vi.setConfig({ testTimeout: 180_000 });

function run(command: keyof typeof COMMANDS, ...args: string[]) {
  const [file, ...rest] = COMMANDS[command];
  const result = spawnSync(file, [...rest, ...args], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    env: { ...process.env, AIRLOCK_ENV: 'no-such-environment' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe.each(Object.keys(COMMANDS) as Array<keyof typeof COMMANDS>)('%s', (command) => {
  it('answers --help with its usage and exit 0, without loading an environment or synthesizing', () => {
    const result = run(command, '--help');
    expect(result.stdout).toMatch(/^usage:\s/);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('refuses an unknown option with usage and exit 2, no stack trace', () => {
    const result = run(command, '--no-such-option');
    expect(result.stderr).toMatch(/: unknown option --no-such-option\n\nusage:\s/);
    expect(result.stdout).toBe('');
    noStackTrace(result.stderr);
    expect(result.status).toBe(2);
  });
});

describe('command lines name the mistake', () => {
  it.each([
    ['npm run review', ['--acept'], 'unknown option --acept (did you mean --accept?)'],
    ['npm start', ['--jsn'], 'unknown option --jsn (did you mean --json?)'],
    ['npm start', ['--submission'], '--submission needs a value: --submission <value>'],
    ['npm start', ['--submission', '--json'], '--submission needs a value'],
    ['npm start', ['stray'], 'unexpected argument "stray": this command takes options only'],
    ['npm start', ['--fault', 'prepare-fail'], 'unknown fault "prepare-fail" (did you mean prepare-fails?)'],
    ['npm start', ['--runs', 'many'], '--runs takes a whole number of at least 1, got "many"'],
    ['npm start', ['--concurrency', '0'], '--concurrency takes a whole number of at least 1, got "0"'],
    [
      'npm start',
      ['--session-token-lenght', '2600'],
      'unknown option --session-token-lenght (did you mean --session-token-length?)',
    ],
    [
      'npm start',
      ['--session-token-length', '8'],
      '--session-token-length takes a whole number of at least 16, got "8"',
    ],
    ['npm run review', ['--json=yes'], '--json takes no value, got "yes"'],
    ['npm run review', ['--json', '--diff'], '--json and --diff both print on stdout: choose one'],
    ['airlock', ['stauts', 'run-1'], 'unknown command "stauts" (did you mean status?)'],
    ['airlock', ['status'], 'status needs a run ID: airlock status <runId>'],
    [
      'airlock',
      ['submit', 'a.tar.gz', '--data-profil', 'p'],
      'unknown option --data-profil (did you mean --data-profile?)',
    ],
    ['airlock-deploy', ['gate', 'sandbx'], 'unknown account "sandbx" (did you mean sandbox?)'],
    ['airlock-deploy', ['drfit', 'data'], 'unknown command "drfit" (did you mean drift?)'],
    ['airlock-deploy', ['kill-switch', 'on'], 'kill-switch needs the account: one of sandbox, data'],
    ['airlock-deploy', ['guard', 'data', 'extra'], 'unexpected argument "extra"'],
  ] as const)('%s %j: %s', (command, args, message) => {
    const result = run(command, ...args);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/\n\nusage:\s/);
    expect(result.stdout).toBe('');
    noStackTrace(result.stderr);
    expect(result.status).toBe(2);
  });
});

describe('no command prompts', () => {
  it('runs Nx in a terminal (a pseudo-TTY, no stdin) without asking to share usage data or touching nx.json', () => {
    const ws = new ScratchWorkspace();
    const before = readFileSync(join(ws.root, 'nx.json'), 'utf8');
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => key !== 'CI' && !key.startsWith('GITHUB_') && !key.startsWith('NX_'),
      ),
    );
    // `script` gives the command a terminal for stdin and stdout, as a person's shell would.
    const result = spawnSync('script', ['-qec', 'npx nx show projects', '/dev/null'], {
      cwd: ws.root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
      env: { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', TERM: 'dumb' },
    });
    expect(result.stdout).not.toMatch(/usage data/i);
    expect(result.stdout).toContain('@airlock/rehearsal');
    expect(result.status).toBe(0);
    expect(readFileSync(join(ws.root, 'nx.json'), 'utf8')).toBe(before);
  });
});
