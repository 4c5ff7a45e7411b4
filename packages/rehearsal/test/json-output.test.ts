import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('npm start -s -- --json', () => {
  // A whole run, two Node processes per run on a shared machine: minutes, not seconds.
  it('prints the summary as the only thing on stdout, so `| jq` works', { timeout: 300_000 }, () => {
    // As a person runs it. Inside an Nx task the cloud assemblies are already synthesized (the test target depends
    // on synth), so the command skips its own synth; outside one, Nx's output goes to stderr.
    const result = spawnSync('npm', ['start', '-s', '--', '--json'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout) as { status: string; invariantViolations: unknown[] };
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.invariantViolations).toEqual([]);
  });
});
