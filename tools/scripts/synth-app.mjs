// Runs an account app's synth entry (`src/main.ts`) the fast way: esbuild bundles our TypeScript (the app,
// @airlock/shared, @airlock/contracts) into one ES module and plain Node runs it, with every other package
// (aws-cdk-lib, constructs, cdk-nag, zod…) loaded from node_modules as usual. Under tsx, its loader hooks cost
// about 1.3 s of CPU per synth (docs/performance.md); esbuild's bundle takes well under 0.1 s.
// Usage (from an app's directory, as its `synth` script): node ../../tools/scripts/synth-app.mjs src/main.ts
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ourSourcesBundling } from './our-sources-plugin.mjs';

const [entry] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node tools/scripts/synth-app.mjs <entry.ts> (run from the app directory)');
  process.exit(2);
}
// Beside the app's own node_modules, so the bundle's bare imports resolve exactly as the sources' do; git-ignored.
const outdir = join(process.cwd(), 'node_modules', '.cache', 'airlock-synth');
mkdirSync(outdir, { recursive: true });
// One file per process (two synths of one app may overlap, e.g. the benchmark beside Nx), gone when it exits: the
// source map is inline, so Node needs nothing of the file once it is loaded.
const outfile = join(outdir, `main-${process.pid}.mjs`);
process.on('exit', () => rmSync(outfile, { force: true }));
await build({
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: `node${process.versions.node.split('.')[0]}`,
  logLevel: 'warning',
  // CDK records construction stack traces in the assembly (validation report, metadata): keep them on our sources.
  sourcemap: 'inline',
  sourcesContent: false,
  ...ourSourcesBundling(),
});
process.setSourceMapsEnabled(true);
await import(pathToFileURL(outfile).href);
