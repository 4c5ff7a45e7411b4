// Prints "true" when the given Nx project is affected between NX_BASE and NX_HEAD (set by nrwl/nx-set-shas),
// "false" otherwise: the deploy workflows' "is my app affected" step. Given several projects, one line each, in order
// (one Nx run answers them all).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const projects = process.argv.slice(2);
if (projects.length === 0) {
  console.error('usage: node tools/scripts/is-affected.mjs <nx project name>...');
  process.exit(2);
}
const nx = join(
  dirname(createRequire(join(process.cwd(), 'package.json')).resolve('nx/package.json')),
  'dist/bin/nx.js',
);
const base = process.env.NX_BASE ?? 'HEAD~1';
const head = process.env.NX_HEAD ?? 'HEAD';
const affected = JSON.parse(
  execFileSync(process.execPath, [nx, 'show', 'projects', '--affected', `--base=${base}`, `--head=${head}`, '--json'], {
    encoding: 'utf8',
  }),
);
for (const project of projects) console.log(affected.includes(project) ? 'true' : 'false');
