// Bundles the runner into one file and lays out the image's build context: dist/runner-image/{Dockerfile,runner.mjs}.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const imageDir = here('../dist/runner-image/');
rmSync(imageDir, { recursive: true, force: true });
mkdirSync(imageDir, { recursive: true });

const result = await build({
  entryPoints: [here('src/main.ts')],
  outfile: `${imageDir}runner.mjs`,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  metafile: true,
});
copyFileSync(here('Dockerfile'), `${imageDir}Dockerfile`);
// Kept outside the image context: tests read it to prove what went into the bundle.
writeFileSync(here('../dist/runner-meta.json'), JSON.stringify(result.metafile));
