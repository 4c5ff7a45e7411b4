// Validates every stack template of the app's cloud assembly (cdk.out) with CDK's own CloudFormation validation
// engine (the plugin `app.synth()` runs by default). The account apps synthesize without it: initializing its
// WebAssembly engine costs about 4 s of CPU per process, more than the rest of a synth (docs/performance.md).
// Acknowledgements (`Validations.of(c).acknowledge({ id: 'CloudFormation-Validate::<rule>' })`) are read back from the
// assembly's metadata and apply to the construct and everything under it, as in CDK. An unacknowledged error fails;
// warnings are printed, as `app.synth()` prints them.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CloudFormationValidatePlugin } from 'aws-cdk-lib';

const ACK_PREFIX = 'CloudFormation-Validate::';
const assemblyDir = resolve(process.argv[2] ?? 'cdk.out');
const readJson = (file) => JSON.parse(readFileSync(join(assemblyDir, file), 'utf8'));

const stacks = Object.entries(readJson('manifest.json').artifacts)
  .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
  .map(([id, artifact]) => {
    const [, accountId, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment) ?? [];
    const metadata = artifact.additionalMetadataFile ? readJson(artifact.additionalMetadataFile) : artifact.metadata;
    return { id, templatePath: join(assemblyDir, artifact.properties.templateFile), accountId, region, metadata };
  });
if (stacks.length === 0) {
  console.error(`validate-templates: no stack in ${assemblyDir}. Fix: synthesize the app first (nx run <app>:synth).`);
  process.exit(2);
}

/** Construct path of each logical ID, and each acknowledged CloudFormation Validate rule by construct path. */
function acknowledgementsOf(metadata) {
  const pathOfLogicalId = new Map();
  const acknowledged = new Map();
  for (const [path, entries] of Object.entries(metadata ?? {}))
    for (const entry of entries) {
      if (entry.type === 'aws:cdk:logicalId') pathOfLogicalId.set(entry.data, path);
      if (entry.type === 'aws:cdk:acknowledged-rules')
        for (const id of Object.keys(entry.data))
          if (id.startsWith(ACK_PREFIX)) acknowledged.set(`${path}#${id.slice(ACK_PREFIX.length)}`, entry.data[id]);
    }
  return { pathOfLogicalId, acknowledged };
}

function isAcknowledged(stack, ack, rule, resource) {
  let path = (resource.resourceLogicalId && ack.pathOfLogicalId.get(resource.resourceLogicalId)) ?? `/${stack.id}`;
  for (; path; path = path.slice(0, path.lastIndexOf('/'))) if (ack.acknowledged.has(`${path}#${rule}`)) return true;
  return false;
}

const plugin = new CloudFormationValidatePlugin();
const report = plugin.validate({
  templatePaths: stacks.map((stack) => stack.templatePath),
  stackTemplates: stacks.map(({ id, templatePath, accountId, region }) => ({
    stackConstructPath: id,
    templatePath,
    accountId,
    region,
  })),
});

let errors = 0;
for (const violation of report.violations) {
  const open = violation.violatingResources.filter(
    (resource) =>
      !stacks.some(
        (stack) =>
          stack.templatePath === resource.templatePath &&
          isAcknowledged(stack, acknowledgementsOf(stack.metadata), violation.ruleName, resource),
      ),
  );
  if (open.length === 0) continue;
  if (violation.severity === 'error' || violation.severity === 'fatal') errors++;
  const where = open.map((r) => `${r.templatePath.slice(assemblyDir.length + 1)} ${r.resourceLogicalId ?? ''}`);
  console.error(
    `[${violation.severity}] ${violation.ruleName} ${violation.description}\n  at ${where.join('\n  at ')}`,
  );
}
console.log(
  `validate-templates: ${stacks.length} templates, CloudFormation Validate ${plugin.version}: ${errors} unacknowledged error(s).`,
);
if (errors > 0)
  console.error(
    'Fix the resource, or acknowledge the rule at the narrowest construct with a reason: Validations.of(construct).acknowledge({ id: "CloudFormation-Validate::<rule>", reason })',
  );
process.exitCode = errors > 0 ? 1 : 0;
