import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { DockerImageAsset } from 'aws-cdk-lib/aws-ecr-assets';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from './workspace.js';

const KB = 1024;

/**
 * A cloud assembly synthesized in a temp dir: two stacks, the first without Lambdas (as the data account's
 * deploy-access stack is), the second with a Lambda of `lambdaBytes` and a runner image whose bundle is `runner`.
 */
function fakeAssembly({ lambdaBytes, runner }: { lambdaBytes: number; runner: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bundle-sizes-'));
  const lambdaDir = join(dir, 'lambda');
  const imageDir = join(dir, 'image');
  mkdirSync(lambdaDir);
  mkdirSync(imageDir);
  writeFileSync(join(lambdaDir, 'index.mjs'), `export const handler = () => '${'x'.repeat(lambdaBytes)}';\n`);
  writeFileSync(join(imageDir, 'runner.mjs'), runner);
  writeFileSync(join(imageDir, 'Dockerfile'), 'FROM scratch\nCOPY runner.mjs /\n');
  const app = new App({ outdir: join(dir, 'cdk.out') });
  new CfnWaitConditionHandle(new Stack(app, 'AaaNoFunctions'), 'Nothing');
  const stack = new Stack(app, 'WithFunctions');
  new LambdaFunction(stack, 'Prepare', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromAsset(lambdaDir),
  });
  new DockerImageAsset(stack, 'Runner', { directory: imageDir });
  app.synth();
  return join(dir, 'cdk.out');
}

const bundleSizes = (assemblyDir: string) =>
  spawnSync('node', [join(workspaceRoot, 'tools/scripts/bundle-sizes.mjs'), assemblyDir], { encoding: 'utf8' });

describe('tools/scripts/bundle-sizes.mjs', () => {
  it('checks every Lambda of every stack and passes bundles within budget', () => {
    const result = bundleSizes(fakeAssembly({ lambdaBytes: 10 * KB, runner: 'console.log("hi");\n' }));
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^lambda WithFunctions\/Prepare\w+ +10\.\d KB/m);
    expect(result.stdout).toMatch(/^runner WithFunctions +0\.0 KB {2}AWS SDK: none/m);
    expect(result.status).toBe(0);
  });

  it('fails when a Lambda bundle is over the 250 KB budget, even in a stack after the first', () => {
    const result = bundleSizes(fakeAssembly({ lambdaBytes: 260 * KB, runner: 'console.log("hi");\n' }));
    expect(result.stderr).toMatch(
      /^bundle-sizes: WithFunctions\/Prepare\w+ is 260\.\d KB, over the 250\.0 KB budget$/m,
    );
    expect(result.status).toBe(1);
  });

  it('fails when the runner bundle contains AWS SDK code', () => {
    const result = bundleSizes(fakeAssembly({ lambdaBytes: 1 * KB, runner: 'import "@aws-sdk/client-s3";\n' }));
    expect(result.stderr).toMatch(/^bundle-sizes: the runner bundle .*runner\.mjs contains AWS SDK code$/m);
    expect(result.status).toBe(1);
  });
});
