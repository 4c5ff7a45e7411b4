import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import type { Construct } from 'constructs';
import type { DataPlaneAction } from '@airlock/contracts';

/** The SDK clients are left to the runtime, which ships them; bundled, they alone would exceed the 250 KB budget. */
const RUNTIME_PROVIDED_MODULES = ['@aws-sdk/client-s3', '@aws-sdk/client-dynamodb', '@aws-sdk/client-sts'];

const handlerEntry = (name: DataPlaneAction): string =>
  fileURLToPath(new URL(`./functions/${name}/handler.ts`, import.meta.url));

/**
 * A data-plane handler bundled by the local esbuild package, in this process, with the options `NodejsFunction` would
 * pass to its command line (minified ES module for Node 24, source map without sources, the SDK clients external,
 * `require` available to bundled CommonJS). `NodejsFunction` starts `npx --no-install esbuild` for each function,
 * about 0.8 s of CPU apiece for npm's start-up against 0.05 s for esbuild (docs/performance.md).
 *
 * The source map names the sources relative to where the bundle is staged: esbuild is told the bundle lies in the
 * cloud assembly, one directory down (where CDK's own staging put it), and the files are then written to a temporary
 * directory that CDK copies into `asset.<hash>`.
 */
export function bundledHandler(scope: Construct, name: DataPlaneAction): lambda.Code {
  const assemblyDir = Stage.of(scope)?.outdir;
  if (assemblyDir === undefined) throw new Error(`cannot bundle the ${name} handler outside an App`);
  const { outputFiles } = buildSync({
    entryPoints: [handlerEntry(name)],
    outfile: join(assemblyDir, `bundle-${name}`, 'index.mjs'),
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    external: RUNTIME_PROVIDED_MODULES,
    banner: { js: "import{createRequire}from'module';const require=createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const staged = mkdtempSync(join(tmpdir(), `airlock-handler-${name}-`));
  for (const file of outputFiles) writeFileSync(join(staged, basename(file.path)), file.contents);
  process.once('exit', () => rmSync(staged, { recursive: true, force: true }));
  return lambda.Code.fromAsset(staged);
}
