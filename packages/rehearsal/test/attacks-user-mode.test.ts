import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACKS } from '../src/run/attacks.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const DRIVER = fileURLToPath(new URL('./user-mode-attacks-driver.ts', import.meta.url));
/** The unprivileged user the rehearsal runs as; CI is root, so `user` mode is reached by dropping to nobody. */
const UNPRIVILEGED = 65534;
/**
 * The attacks whose defence changes without root: every container runs as the same host user (read-environ,
 * trace-runner), the network belongs to a user namespace (reach-host), processes are found by their launcher's tree
 * instead of a cgroup (setsid-daemon), and rlimits and the memory watchdog stand in for cgroup limits (fork-bomb, exceed-memory, exceed-memory-together). The scratch
 * tmpfs, signals to PID 1 and the runner's own checks do not change (user-mode.test.ts proves the scratch limit and
 * the signals at the container level); one run each here would add a minute to `npm test` and prove nothing new.
 */
const USER_MODE_ATTACKS = [
  'read-environ',
  'trace-runner',
  'reach-host',
  'setsid-daemon',
  'fork-bomb',
  'exceed-memory',
  'exceed-memory-together',
];

interface Report {
  name: string;
  status: string;
  evidence: string;
  problems: string[];
}

// Never skipped: CI runs as root and drops to nobody here; a machine without user namespaces fails here.
describe('the attack suite in user mode (the rehearsal run by nobody): each attack contained, the host clean', () => {
  let home: string;
  let reports: Report[];
  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test starts the rehearsal as nobody, which needs root (CI is)');
    home = mkdtempSync(join(tmpdir(), 'airlock-user-mode-home-'));
    chownSync(home, UNPRIVILEGED, UNPRIVILEGED);
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        'setpriv',
        [
          `--reuid=${UNPRIVILEGED}`,
          `--regid=${UNPRIVILEGED}`,
          '--clear-groups',
          process.execPath,
          '--env-file=.env',
          '--openssl-legacy-provider',
          '--import',
          'tsx',
          DRIVER,
          ...USER_MODE_ATTACKS,
        ],
        {
          cwd: root,
          env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: home },
          timeout: 840_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      ),
    );
    reports = JSON.parse(stdout) as Report[];
  }, 900_000);
  afterAll(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it.each(USER_MODE_ATTACKS)('%s', (name) => {
    const report = reports.find((r) => r.name === name);
    expect(report?.problems).toEqual([]);
    expect(report?.status).toBe(ATTACKS[name]?.status ?? report?.status);
  });
});
