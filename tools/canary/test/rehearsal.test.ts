import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CheckLine } from '../src/check-line.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/airlock-canary.mjs', import.meta.url));

/** `airlock-canary --rehearsal --json`, as an operator runs it; resolves to its exit code and report lines. */
function canaryOnRehearsal(extraEnv: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, '--rehearsal', '--json'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...extraEnv },
    timeout: 240_000,
  });
  const report = JSON.parse(result.stdout || '{"lines":[]}') as { target: string; lines: CheckLine[] };
  return { status: result.status, stderr: result.stderr, report };
}
/** Every port the rehearsal listens on but the S3 front's own (inside the task, its listener is the one way out). */
const HOST_PORTS = [
  's3rver (raw S3)',
  'dynalite (raw DynamoDB)',
  'STS front',
  'DynamoDB front',
  "S3 front (the sandbox's endpoint)",
  "Step Functions front (the canary's)",
];
const failed = (lines: readonly CheckLine[]) => lines.filter((l) => l.verdict === 'FAIL').map((l) => l.check);

describe('airlock-canary --rehearsal', () => {
  it(
    'passes: the example succeeds, the probe reaches nothing the design forbids, runs/ is left empty',
    { timeout: 300_000 },
    () => {
      const { status, stderr, report } = canaryOnRehearsal();
      expect(failed(report.lines), stderr).toEqual([]);
      expect(status).toBe(0);
      expect(report.target).toBe('rehearsal');
      const verdict = (check: string) => report.lines.find((l) => l.check === check)?.verdict;
      for (const check of [
        'example run',
        'probe run',
        'probe: a foreign bucket through the S3 endpoint',
        "probe: other processes' environments",
        'probe: neighbours (fetch, deliver) out of reach',
        'probe: not root',
        'probe: no capabilities',
        'probe: scratch volume owned by the task user',
        'example run: nothing left under runs/',
        'probe run: nothing left under runs/',
      ])
        expect(verdict(check), check).toBe('PASS');
      // The machine's own ports stand in for the internet: the task network reaches none of them.
      for (const port of HOST_PORTS)
        expect(verdict(`probe: internet ${port} on the rehearsing machine`), port).toBe('PASS');
      // What the rehearsal cannot reach is said, never passed.
      expect(verdict('probe: internet 1.1.1.1:443')).toBe('NOT CHECKED');
      expect(verdict('probe: DNS example.com')).toBe('NOT CHECKED');
      expect(verdict('canary roles assumed with the GitHub OIDC token')).toBe('NOT CHECKED');
    },
  );

  // Unconfined, the task runs as whoever runs the rehearsal: only as root (CI) is that uid 0 with every capability.
  it.runIf(process.getuid?.() === 0)(
    'fails, naming the machine’s ports it reached, root and the capabilities, when the task runs without the kernel’s confinement (as root)',
    { timeout: 300_000 },
    () => {
      const { status, report } = canaryOnRehearsal({ AIRLOCK_CANARY_REHEARSAL_FAULT: 'unconfined-task' });
      expect(status).toBe(1);
      expect(failed(report.lines)).toEqual([
        ...HOST_PORTS.map((port) => `probe: internet ${port} on the rehearsing machine`),
        'probe: not root',
        'probe: no capabilities',
      ]);
    },
  );
});
