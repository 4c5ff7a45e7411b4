import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUN_BUNDLED = fileURLToPath(new URL('../bin/run-bundled.mjs', import.meta.url));

/** A package whose entry imports a module two levels down, which reports its message, URL and arguments. */
function fakePackage(message: string): { dir: string; entry: string; setMessage: (text: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-run-bundled-'));
  mkdirSync(join(dir, 'src', 'nested'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(join(dir, 'src', 'entry.ts'), "import { report } from './nested/report.js';\nreport();\n");
  const setMessage = (text: string) =>
    writeFileSync(
      join(dir, 'src', 'nested', 'report.ts'),
      `export function report(): void {\n` +
        `  const beside: string = new URL('./beside.mjs', import.meta.url).href;\n` +
        `  console.log(JSON.stringify({ message: ${JSON.stringify(text)}, beside, argv: process.argv.slice(2) }));\n` +
        `}\n`,
    );
  setMessage(message);
  return { dir, entry: join(dir, 'src', 'entry.ts'), setMessage };
}

function runBundled(entry: string, args: string[] = []): { message: string; beside: string; argv: string[] } {
  const run = spawnSync(process.execPath, [RUN_BUNDLED, entry, ...args], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as { message: string; beside: string; argv: string[] };
}

/** The bundles built so far for the package's one entry (one folder each, named by its cache key). */
const bundles = (dir: string) => {
  const [entryCache = ''] = readdirSync(join(dir, 'node_modules', '.cache', 'airlock-bundled'));
  const cache = join(dir, 'node_modules', '.cache', 'airlock-bundled', entryCache);
  return readdirSync(cache).filter((name) => /^[0-9a-f]{64}$/.test(name));
};

describe('run-bundled.mjs (how npm start runs the rehearsal)', () => {
  it("gives the entry its own arguments and each module its source file's import.meta.url", () => {
    const { dir, entry } = fakePackage('hello');
    const output = runBundled(entry, ['--runs', '3', '--json']);
    expect(output.argv).toEqual(['--runs', '3', '--json']);
    // Workers and child programs are found beside the module that starts them, not beside the bundle.
    expect(output.beside).toBe(pathToFileURL(join(dir, 'src', 'nested', 'beside.mjs')).href);
  });

  it('never runs a stale bundle: a changed source two imports down takes effect on the next start', () => {
    const { dir, entry, setMessage } = fakePackage('first');
    expect(runBundled(entry).message).toBe('first');
    expect(runBundled(entry).message).toBe('first');
    expect(bundles(dir)).toHaveLength(1);

    setMessage('second');
    expect(runBundled(entry).message).toBe('second');
    expect(bundles(dir)).toHaveLength(2);

    // Keyed by content, not by time: the first sources again are the first bundle again.
    setMessage('first');
    expect(runBundled(entry).message).toBe('first');
    expect(bundles(dir)).toHaveLength(2);
  });
});
