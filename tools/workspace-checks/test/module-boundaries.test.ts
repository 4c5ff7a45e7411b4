import { join } from 'node:path';
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { workspaceRoot } from './workspace.js';

/** Lints `code` as if it were a source file at `file` in this workspace, with the workspace's own ESLint config. */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: workspaceRoot });
  const [result] = await eslint.lintText(code, { filePath: join(workspaceRoot, file) });
  const boundaryRules = ['@nx/enforce-module-boundaries', 'no-restricted-imports'];
  return (result?.messages ?? []).filter((m) => boundaryRules.includes(m.ruleId ?? '')).map((m) => m.message);
}

describe('module boundaries', () => {
  beforeAll(async () => {
    // The lint rule reads the cached project graph, which `nx` writes before running any target.
    await createProjectGraphAsync({ exitOnError: false });
  });

  it.each([
    ['sandbox', 'data', 'apps/sandbox-account/src/violation.ts', '@airlock/data-account'],
    ['data', 'orchestrator', 'apps/data-account/src/violation.ts', '@airlock/orchestrator-account'],
    ['orchestrator', 'sandbox', 'apps/orchestrator-account/src/violation.ts', '@airlock/sandbox-account'],
  ])('fails when the %s app imports the %s app by package name', async (_from, _to, file, target) => {
    const errors = await boundaryErrors(file, `import * as other from '${target}';\nexport const x = other;\n`);
    expect(errors).toEqual([expect.stringMatching(/An account app is deployed alone and is never imported/)]);
  });

  it('fails when an app reaches into another app by relative path', async () => {
    const errors = await boundaryErrors(
      'apps/sandbox-account/src/violation.ts',
      "import { DataAccountStack } from '../../data-account/src/data-account-stack.js';\nexport const x = DataAccountStack;\n",
    );
    expect(errors).toEqual([expect.stringMatching(/relative|Projects cannot be imported/i)]);
  });

  it('fails when packages/shared imports an app', async () => {
    const errors = await boundaryErrors(
      'packages/shared/src/violation.ts',
      "import * as app from '@airlock/sandbox-account';\nexport const x = app;\n",
    );
    expect(errors).toEqual([expect.stringMatching(/An account app is deployed alone and is never imported/)]);
  });

  it.each([
    ['the sandbox app', '@airlock/cloud-assembly', 'apps/sandbox-account/src/violation.ts'],
    ['packages/shared', '@airlock/cloud-assembly', 'packages/shared/src/violation.ts'],
    ['the orchestrator app', '@cloud-copilot/iam-simulate', 'apps/orchestrator-account/src/violation.ts'],
    ['packages/shared', '@cloud-copilot/iam-simulate', 'packages/shared/src/violation.ts'],
  ])('fails when %s imports the dev-only package %s', async (_who, target, file) => {
    const errors = await boundaryErrors(file, `import * as tooling from '${target}';\nexport const x = tooling;\n`);
    expect(errors).toContainEqual(expect.stringMatching(/Dev tooling .* never for apps or packages\/shared/));
  });

  it('fails when Lambda code imports the dev-only package, under the stricter rule for bundled code', async () => {
    const errors = await boundaryErrors(
      'apps/data-account/src/functions/violation.ts',
      "import * as tooling from '@airlock/cloud-assembly';\nexport const x = tooling;\n",
    );
    expect(errors).toContainEqual(expect.stringMatching(/Lambda handler code is bundled and shipped/));
  });

  it.each([
    ['the rehearsal', 'packages/rehearsal/src/allowed.ts'],
    ['the trust review', 'packages/trust-review/src/allowed.ts'],
    ['the post-deploy checks (airlock-deploy verify)', 'packages/post-deploy/src/allowed.ts'],
  ])('allows %s to import the cloud-assembly package', async (_who, file) => {
    const errors = await boundaryErrors(
      file,
      "import { loadTrustSurface } from '@airlock/cloud-assembly';\nexport const x = loadTrustSurface;\n",
    );
    expect(errors).toEqual([]);
  });

  it('allows an app to import packages/shared', async () => {
    const errors = await boundaryErrors(
      'apps/sandbox-account/src/allowed.ts',
      "import { crossAccountTrust } from '@airlock/shared';\nexport const x = crossAccountTrust;\n",
    );
    expect(errors).toEqual([]);
  });

  describe('code bundled into a Lambda or the runner image', () => {
    const lambda = 'apps/data-account/src/functions/prepare/violation.ts';
    const runner = 'apps/sandbox-account/runner/src/violation.ts';
    const importing = (specifier: string) => `import * as m from '${specifier}';\nexport const x = m;\n`;

    it.each([
      ['a Lambda handler', '@airlock/shared', lambda],
      ['a Lambda handler', '@airlock/shared/environment', lambda],
      ['the runner', '@airlock/shared', runner],
      ['the runner', '@airlock/shared/testing', runner],
    ])('fails when %s imports %s', async (_what, specifier, file) => {
      const errors = await boundaryErrors(file, importing(specifier));
      expect(errors).toContainEqual(expect.stringMatching(/it may import only @airlock\/contracts/));
    });

    it.each([
      ['a Lambda handler', 'zod', lambda],
      ['a Lambda handler', 'aws-cdk-lib', lambda],
      ['a Lambda handler', '../../data-account-stack.js', lambda],
      ['the runner', '@aws-sdk/client-s3', runner],
      ['the runner', '../../src/runner-task.js', runner],
      ['the runner', 'tarball', runner],
    ])('fails when %s imports %s', async (_what, specifier, file) => {
      const errors = await boundaryErrors(file, importing(specifier));
      expect(errors).toContainEqual(expect.stringMatching(/code may import only @airlock\/contracts, /));
    });

    it.each([
      ['a Lambda handler', '@airlock/contracts', lambda],
      ['a Lambda handler', '../common/limits.js', lambda],
      ['a Lambda handler', '@aws-sdk/client-s3', lambda],
      ['a Lambda handler', '@aws-lambda-powertools/logger', lambda],
      ['a Lambda handler', 'valibot', lambda],
      ['the runner', '@airlock/contracts', runner],
      ['the runner', './run.js', runner],
      ['the runner', 'node:child_process', runner],
      ['the runner', 'tar', runner],
    ])('allows %s to import %s', async (_what, specifier, file) => {
      expect(await boundaryErrors(file, importing(specifier))).toEqual([]);
    });
  });

  it.each([
    ['@airlock/shared/environment', /Circular dependency|scope:contracts/],
    ['zod', /Contracts code may import only/],
    ['aws-cdk-lib', /Contracts code may import only/],
    ['@aws-sdk/client-s3', /Contracts code may import only/],
    ['node:fs', /Contracts code may import only/],
  ])('fails when packages/contracts imports %s', async (specifier, message) => {
    const errors = await boundaryErrors(
      'packages/contracts/src/violation.ts',
      `import * as m from '${specifier}';\nexport const x = m;\n`,
    );
    expect(errors).toContainEqual(expect.stringMatching(message));
  });

  it('allows every app and tool to import packages/contracts', async () => {
    for (const file of [
      'apps/orchestrator-account/src/allowed.ts',
      'packages/rehearsal/src/allowed.ts',
      'packages/trust-review/src/allowed.ts',
      'tools/cli/src/allowed.ts',
    ]) {
      const errors = await boundaryErrors(
        file,
        "import { resourceName } from '@airlock/contracts';\nexport const x = resourceName;\n",
      );
      expect(errors, file).toEqual([]);
    }
  });
});
