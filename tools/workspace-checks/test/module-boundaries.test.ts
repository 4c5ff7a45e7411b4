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
      ['a Lambda handler', lambda, '@airlock/shared'],
      ['a Lambda handler', lambda, '@airlock/shared/environment'],
      ['the runner', runner, '@airlock/shared'],
      ['the runner', runner, '@airlock/shared/testing'],
    ])('fails when %s imports %s', async (_what, file, specifier) => {
      const errors = await boundaryErrors(file, importing(specifier));
      expect(errors).toContainEqual(expect.stringMatching(/it may import only @airlock\/contracts/));
    });

    it.each([
      ['a Lambda handler', lambda, 'zod'],
      ['a Lambda handler', lambda, 'aws-cdk-lib'],
      ['a Lambda handler', lambda, '../../data-account-stack.js'],
      ['the runner', runner, '@aws-sdk/client-s3'],
      ['the runner', runner, '../../src/runner-task.js'],
      ['the runner', runner, 'tarball'],
    ])('fails when %s imports %s', async (_what, file, specifier) => {
      const errors = await boundaryErrors(file, importing(specifier));
      expect(errors).toContainEqual(expect.stringMatching(/code may import only @airlock\/contracts, /));
    });

    it.each([
      [lambda, '@airlock/contracts'],
      [lambda, '../common/limits.js'],
      [lambda, '@aws-sdk/client-s3'],
      [lambda, '@aws-lambda-powertools/logger'],
      [lambda, 'valibot'],
      [runner, '@airlock/contracts'],
      [runner, './run.js'],
      [runner, 'node:child_process'],
      [runner, 'tar'],
    ])('allows %s to import %s', async (file, specifier) => {
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
