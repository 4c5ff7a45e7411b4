import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { loadEnvironment } from '@airlock/shared/environment';
import { describe, expect, it } from 'vitest';
import { accountStack, cloudAssemblyDir } from '../src/account-assembly.js';

const env = loadEnvironment('example');

/** A workspace whose data app synthesized two stacks, its own and another, like the real one. */
function workspaceWithDataAssembly(): string {
  const root = mkdtempSync(join(tmpdir(), 'airlock-assembly-'));
  const app = new App({ outdir: cloudAssemblyDir(root, 'data') });
  new Stack(app, 'DeployAccess', { stackName: 'airlock-example-data-deploy-access' });
  const own = new Stack(app, 'Data', { stackName: 'airlock-example-data' });
  own.templateOptions.description = 'the data account stack';
  app.synth();
  return root;
}

describe('account cloud assemblies', () => {
  it('live in apps/<account>-account/cdk.out', () => {
    expect(cloudAssemblyDir('/ws', 'sandbox')).toBe('/ws/apps/sandbox-account/cdk.out');
  });

  it("finds the account's own stack by its configured name among the assembly's stacks", () => {
    const stack = accountStack(env, workspaceWithDataAssembly(), 'data');
    expect(stack.stackName).toBe('airlock-example-data');
    expect(stack.template).toMatchObject({ Description: 'the data account stack' });
  });

  it('fails when the app was not synthesized, naming the synth command', () => {
    const root = mkdtempSync(join(tmpdir(), 'airlock-assembly-'));
    expect(() => accountStack(env, root, 'orchestrator')).toThrow(
      /apps\/orchestrator-account\/cdk\.out holds no cloud assembly: synthesize .*npx nx run @airlock\/orchestrator-account:synth/,
    );
  });
});
