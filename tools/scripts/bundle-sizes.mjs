// Prints the size of every bundle the apps deploy and fails when a Lambda bundle is over budget or the runner image's
// bundle contains AWS SDK code. It reads each cloud assembly through its manifest (`CloudAssembly`): every stack, its
// asset manifest, and the staged asset each Lambda function's code key points at. Run after `synth`.
//   node tools/scripts/bundle-sizes.mjs [cdk.out ...]   (default: the three account apps' cdk.out)
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetManifestArtifact, CloudAssembly } from 'aws-cdk-lib/cx-api';

const root = fileURLToPath(new URL('../../', import.meta.url));
const LAMBDA_BUDGET_BYTES = 250 * 1024;
// Signs of bundled AWS SDK code: the runner must hold no credential machinery at all.
const AWS_SDK_CODE = /@aws-sdk|@smithy|AWS_SECRET_ACCESS_KEY|SignatureV4/;
const RUNNER_BUNDLE = 'runner.mjs';

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const assemblyDirs =
  process.argv.length > 2
    ? process.argv.slice(2)
    : ['orchestrator', 'sandbox', 'data'].map((account) => join(root, 'apps', `${account}-account`, 'cdk.out'));

const problems = [];
let runnerBundles = 0;
for (const dir of assemblyDirs) {
  const assembly = new CloudAssembly(dir);
  for (const stack of assembly.stacksRecursively) {
    const manifests = stack.dependencies.filter((d) => AssetManifestArtifact.isAssetManifestArtifact(d));
    // Lambda code is referenced by the object key its file asset is published under.
    const fileAssetByKey = new Map();
    const imageDirs = [];
    for (const manifest of manifests) {
      for (const asset of Object.values(manifest.contents.files ?? {}))
        for (const destination of Object.values(asset.destinations))
          fileAssetByKey.set(destination.objectKey, join(dir, asset.source.path ?? ''));
      for (const image of Object.values(manifest.contents.dockerImages ?? {}))
        imageDirs.push(join(dir, image.source.directory ?? ''));
    }
    for (const [id, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const key = resource.Properties?.Code?.S3Key;
      const assetDir = fileAssetByKey.get(key);
      if (!assetDir || !existsSync(assetDir)) {
        problems.push(`${stack.stackName}/${id}: no staged asset for its code key ${JSON.stringify(key)}`);
        continue;
      }
      const bundle = readdirSync(assetDir).find((f) => /^index\.(m?js)$/.test(f));
      if (!bundle) {
        problems.push(`${stack.stackName}/${id}: ${relative(root, assetDir)} holds no index.js or index.mjs`);
        continue;
      }
      const size = statSync(join(assetDir, bundle)).size;
      console.log(
        `lambda ${`${stack.stackName}/${id}`.padEnd(48)} ${kb(size).padStart(10)}  (budget ${kb(LAMBDA_BUDGET_BYTES)})`,
      );
      if (size > LAMBDA_BUDGET_BYTES)
        problems.push(`${stack.stackName}/${id} is ${kb(size)}, over the ${kb(LAMBDA_BUDGET_BYTES)} budget`);
    }
    for (const imageDir of imageDirs) {
      const file = join(imageDir, RUNNER_BUNDLE);
      if (!existsSync(file)) continue;
      runnerBundles += 1;
      const size = statSync(file).size;
      const sdk = AWS_SDK_CODE.test(readFileSync(file, 'utf8'));
      console.log(
        `runner ${stack.stackName.padEnd(48)} ${kb(size).padStart(10)}  AWS SDK: ${sdk ? 'PRESENT' : 'none'}`,
      );
      if (sdk) problems.push(`the runner bundle ${relative(root, file)} contains AWS SDK code`);
    }
  }
}
if (runnerBundles === 0) problems.push(`no image asset with ${RUNNER_BUNDLE} in ${assemblyDirs.join(', ')}`);

if (problems.length > 0) {
  for (const p of problems) console.error(`bundle-sizes: ${p}`);
  process.exit(1);
}
