import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every test run gets its own temporary folder, removed when the run ends, so no test has to clean up after itself
 * to keep the machine's temp folder clean (synthesized apps, stores, scratch volumes, environment files). Set as
 * TMPDIR, which `os.tmpdir()` and the test workers inherit. Open like /tmp (sticky, world-writable): confined
 * containers run as uid 10001.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-test-run-'));
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
