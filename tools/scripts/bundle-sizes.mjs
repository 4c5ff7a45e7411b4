// Prints the size of every bundle the apps deploy, read from their synthesized cloud assemblies, and fails when a
// Lambda bundle is over budget or the runner bundle contains AWS SDK code. Run after `synth`.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

const LAMBDA_BUDGET_BYTES = 250 * 1024;
const problems = [];
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

function template(app) {
  const dir = join(root, 'apps', app, 'cdk.out');
  const file = readdirSync(dir).find((f) => f.endsWith('.template.json'));
  return { dir, template: JSON.parse(readFileSync(join(dir, file), 'utf8')) };
}

const data = template('data-account');
for (const [id, resource] of Object.entries(data.template.Resources)) {
  if (resource.Type !== 'AWS::Lambda::Function') continue;
  // The code's S3 key is `<asset hash>.zip`; the staged asset sits in cdk.out as `asset.<hash>`.
  const assetDir = join(data.dir, `asset.${String(resource.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
  const bundle = readdirSync(assetDir).find((f) => /^index\.(m?js)$/.test(f));
  const size = statSync(join(assetDir, bundle)).size;
  console.log(`lambda ${id.padEnd(32)} ${kb(size).padStart(10)}  (budget ${kb(LAMBDA_BUDGET_BYTES)})`);
  if (size > LAMBDA_BUDGET_BYTES) problems.push(`${id} is ${kb(size)}, over ${kb(LAMBDA_BUDGET_BYTES)}`);
}

const sandbox = template('sandbox-account');
const runnerAssets = readdirSync(sandbox.dir).filter(
  (d) => d.startsWith('asset.') && existsSync(join(sandbox.dir, d, 'runner.mjs')),
);
for (const asset of runnerAssets) {
  const file = join(sandbox.dir, asset, 'runner.mjs');
  const size = statSync(file).size;
  const sdk = /@aws-sdk|@smithy|AWS_SECRET_ACCESS_KEY|SignatureV4/.test(readFileSync(file, 'utf8'));
  console.log(`runner ${asset.slice(0, 20).padEnd(32)} ${kb(size).padStart(10)}  AWS SDK: ${sdk ? 'PRESENT' : 'none'}`);
  if (sdk) problems.push(`the runner bundle ${file} contains AWS SDK code`);
}
if (runnerAssets.length === 0) problems.push('no runner image asset found in apps/sandbox-account/cdk.out');

if (problems.length > 0) {
  for (const p of problems) console.error(`bundle-sizes: ${p}`);
  process.exit(1);
}
