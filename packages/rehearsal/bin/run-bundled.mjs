// Runs a TypeScript entry (`npm start` runs src/cli.ts) as an esbuild bundle under plain Node instead of through
// tsx, whose loader hooks cost ~3 s of CPU per start-up (docs/performance.md). Our TypeScript (the entry's package
// and the @airlock/* packages) is bundled; every other package stays an import from node_modules. The bundle is
// cached under the SHA-256 of everything it was built from and rebuilt when any of that changes, so a stale bundle
// never runs.
// Usage: node packages/rehearsal/bin/run-bundled.mjs <entry.ts> [its arguments...]
import { createHash, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ourSourcesBundling } from '../../../tools/scripts/our-sources-plugin.mjs';

/** How our sources are bundled, shared with synth-app.mjs: part of every bundle's cache key. */
const OUR_SOURCES_PLUGIN = new URL('../../../tools/scripts/our-sources-plugin.mjs', import.meta.url);

/** Bundles not used for this long are removed when a new one is built (a running process may still load chunks). */
const UNUSED_FOR_MS = 24 * 60 * 60 * 1000;

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The nearest directory at or above `dir` holding `name`, if any. */
function nearest(dir, name) {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, name))) return join(at, name);
    if (dirname(at) === at) return undefined;
  }
}

/**
 * The files a build depends on beyond what it loaded: the package.json (module type, exports) and tsconfig.json
 * nearest each loaded file, the tsconfig files those extend (compiler options change the output), and this file and
 * the plugin, which decide how to bundle.
 */
function resolutionFiles(loadedFiles) {
  const files = new Set([fileURLToPath(import.meta.url), fileURLToPath(OUR_SOURCES_PLUGIN)]);
  for (const file of loadedFiles) {
    for (const name of ['package.json', 'tsconfig.json']) {
      const found = nearest(dirname(file), name);
      if (found) files.add(found);
    }
  }
  for (const file of files) {
    if (!file.endsWith('.json') || !/tsconfig[^/]*$/.test(file)) continue;
    const extended = /"extends"\s*:\s*"(\.[^"]+)"/.exec(readFileSync(file, 'utf8'))?.[1];
    if (extended) files.add(resolve(dirname(file), extended));
  }
  return files;
}

/** SHA-256 of each file's bytes now, or undefined if one of them is gone. */
function hashesNow(files) {
  const hashes = {};
  for (const file of files) {
    try {
      hashes[file] = sha256(readFileSync(file));
    } catch {
      return undefined;
    }
  }
  return hashes;
}

/** The cache key of a build with esbuild `version` from files with these contents. */
function keyOf(hashes, version) {
  const hash = createHash('sha256').update(`esbuild ${version}\n`);
  for (const file of Object.keys(hashes).sort()) hash.update(`${file}\n${hashes[file]}\n`);
  return hash.digest('hex');
}

/** The cached bundle's entry file if every file it was built from still has the content it was built from. */
function cachedEntry(cacheDir) {
  let latest;
  try {
    latest = JSON.parse(readFileSync(join(cacheDir, 'latest.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const hashes = hashesNow(latest.files);
  const bundleDir = join(cacheDir, latest.key);
  if (!hashes || keyOf(hashes, latest.esbuild) !== latest.key || !existsSync(join(bundleDir, latest.entry))) {
    return undefined;
  }
  // Marks it as in use, so another start-up's pruning leaves it alone.
  const now = new Date();
  utimesSync(bundleDir, now, now);
  return join(bundleDir, latest.entry);
}

async function build(entry, cacheDir) {
  const esbuild = await import('esbuild');
  const staging = join(cacheDir, `building-${randomUUID()}`);
  /** SHA-256 of each file esbuild loaded, as it was loaded. */
  const loaded = {};
  const result = await esbuild.build({
    entryPoints: [entry],
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // The entry's dynamic imports become chunks loaded when reached: `--help` loads no more than it did.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    logLevel: 'warning',
    metafile: true,
    // Stack traces name our sources and their lines.
    sourcemap: 'inline',
    sourcesContent: false,
    // Every file is read through this, so the key is computed from exactly the bytes that went into the bundle.
    ...ourSourcesBundling((path, bytes) => (loaded[path] = sha256(bytes))),
  });
  const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(input));
  const unread = inputs.filter((file) => !(file in loaded));
  const resolution = hashesNow([...unread, ...resolutionFiles(inputs)]);
  if (!resolution) throw new Error(`a source of ${entry} vanished while it was bundled; run the command again`);
  const hashes = { ...resolution, ...loaded };
  const key = keyOf(hashes, esbuild.version);
  const bundleEntry = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint)?.[0];
  if (!bundleEntry) throw new Error(`esbuild built no entry file for ${entry}`);
  const bundleDir = join(cacheDir, key);
  try {
    renameSync(staging, bundleDir);
  } catch {
    // Another start-up built the same sources at the same time: its bundle is this one.
    rmSync(staging, { recursive: true, force: true });
  }
  const files = Object.keys(hashes).sort();
  const latest = { key, esbuild: esbuild.version, entry: relative(staging, resolve(bundleEntry)), files };
  const pointer = join(cacheDir, `latest-${randomUUID()}.json`);
  writeFileSync(pointer, JSON.stringify(latest));
  renameSync(pointer, join(cacheDir, 'latest.json'));
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (name !== key && name !== 'latest.json' && Date.now() - statSync(path).mtimeMs > UNUSED_FOR_MS) {
      rmSync(path, { recursive: true, force: true });
    }
  }
  return join(bundleDir, latest.entry);
}

const [entryArgument] = process.argv.slice(2);
if (!entryArgument) {
  console.error('usage: node packages/rehearsal/bin/run-bundled.mjs <entry.ts> [its arguments...]');
  process.exit(2);
}
const entry = resolve(entryArgument);
const packageJson = nearest(dirname(entry), 'package.json');
if (!packageJson) {
  console.error(`${entry}: no package.json above it, so there is no node_modules to resolve its imports from`);
  process.exit(2);
}
// Beside the entry's package's own node_modules, so the bundle's bare imports resolve as the sources' do.
const cacheDir = join(dirname(packageJson), 'node_modules', '.cache', 'airlock-bundled', sha256(entry).slice(0, 16));
mkdirSync(cacheDir, { recursive: true });
const bundle = cachedEntry(cacheDir) ?? (await build(entry, cacheDir));
// The entry reads its own arguments from process.argv.slice(2), as it does when Node runs it directly.
process.argv.splice(1, 2, entry);
process.setSourceMapsEnabled(true);
await import(pathToFileURL(bundle).href);
