#!/usr/bin/env node
// Runs the TypeScript deploy tool through tsx, as every other workspace tool does.
import { register } from 'tsx/esm/api';

register();
// `--help` and usage errors are answered before the AWS SDK's clients are loaded.
const { readDeployCommandLine } = await import('../src/deploy-command-line.ts');
const read = readDeployCommandLine(process.argv.slice(2));
if ('exitCode' in read) process.exitCode = read.exitCode;
else {
  const { main } = await import('../src/deploy-cli.ts');
  await main();
}
