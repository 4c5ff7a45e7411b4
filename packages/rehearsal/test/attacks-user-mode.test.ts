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
/** The attacks whose defence changes without root: the kernel's namespaces, the limits, and the runner's checks. */
const USER_MODE_ATTACKS = [
  'read-environ',
  'signal-runner',
  'trace-runner',
  'reach-host',
  'setsid-daemon',
  'fork-bomb',
  'fill-scratch',
  'exceed-memory',
  'output-link',
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
