// How synth-app.mjs and run-bundled.mjs bundle our TypeScript with esbuild: our workspace packages (`@airlock/*`,
// whose exports point at TypeScript sources) are bundled, every other package stays an import from node_modules,
// and each module's `import.meta.url` stays its source file's URL (code locates workers and files beside itself).
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bare specifiers stay imports, except our own workspace packages. */
const OURS = /^@airlock\//;
/** An identifier, so each module binds it to its own declaration (string literals are left alone). */
const SOURCE_URL = '__airlockSourceUrl';
const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.js': 'js', '.mjs': 'js', '.json': 'json' };

/**
 * The esbuild options that do the above, to spread into a build's own. `onRead(path, bytes)` sees every file the
 * bundle is built from, as it was read.
 */
export function ourSourcesBundling(onRead = () => undefined) {
  return {
    define: { 'import.meta.url': SOURCE_URL },
    plugins: [
      {
        name: 'airlock-our-sources',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, (args) => (OURS.test(args.path) ? undefined : { external: true }));
          build.onLoad({ filter: /\.(ts|mts|js|mjs|json)$/ }, (args) => {
            const bytes = readFileSync(args.path);
            onRead(args.path, bytes);
            const source = bytes.toString('utf8');
            const loader = LOADERS[extname(args.path)];
            const unsupported = /import\.meta\.(?!url\b)\w+/.exec(source);
            if (unsupported) {
              throw new Error(`${args.path}: ${unsupported[0]} has no stand-in in the bundle; use import.meta.url`);
            }
            if (!source.includes('import.meta.url')) return { contents: source, loader };
            const url = JSON.stringify(pathToFileURL(args.path).href);
            // On the first line, so every line keeps its number in stack traces.
            return { contents: `const ${SOURCE_URL} = ${url}; ${source}`, loader };
          });
        },
      },
    ],
  };
}
