// Prints each account app's synth wall and CPU time (own + children, from the OS's accounting), the median of N
// runs (default 3), and the machine's load while measuring. A benchmark that prints figures, never a test.
// Usage: npm run bench:synth [-- <runs>]
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const APPS = ['orchestrator', 'sandbox', 'data'];
const runs = Number(process.argv[2] ?? 3);
const root = fileURLToPath(new URL('../../', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// GNU time reports the child's own and its children's CPU (esbuild, npx) as the kernel accounted them.
function synthOnce(app) {
  const synth = [process.execPath, `${root}tools/scripts/synth-app.mjs`, 'src/main.ts'];
  const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...synth], {
    cwd: `${root}apps/${app}-account`,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`synth of ${app} failed:\n${result.stderr}`);
  const [wall, user, sys, maxRssKb] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { wall, cpu: user + sys, rssMb: maxRssKb / 1024 };
}

console.log(
  `synth, median of ${runs} runs each; load average before: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const app of APPS) {
  const samples = Array.from({ length: runs }, () => synthOnce(app));
  const m = (key) => median(samples.map((s) => s[key]));
  console.log(
    `${app.padEnd(12)} wall ${m('wall').toFixed(1)} s  cpu ${m('cpu').toFixed(1)} s  peak rss ${m('rssMb').toFixed(0)} MB`,
  );
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (${availableParallelism()} cores)`,
);
