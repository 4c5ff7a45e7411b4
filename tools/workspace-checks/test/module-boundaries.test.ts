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
    ["the data app's Lambda code", '@airlock/cloud-assembly', 'apps/data-account/src/functions/violation.ts'],
    ['packages/shared', '@airlock/cloud-assembly', 'packages/shared/src/violation.ts'],
    ['the orchestrator app', '@cloud-copilot/iam-simulate', 'apps/orchestrator-account/src/violation.ts'],
    ['packages/shared', '@cloud-copilot/iam-simulate', 'packages/shared/src/violation.ts'],
  ])('fails when %s imports the dev-only package %s', async (_who, target, file) => {
    const errors = await boundaryErrors(file, `import * as tooling from '${target}';\nexport const x = tooling;\n`);
    expect(errors).toContainEqual(expect.stringMatching(/Dev tooling .* never for apps or packages\/shared/));
  });

  it.each([
    ['the rehearsal', 'packages/rehearsal/src/allowed.ts'],
    ['the trust review', 'packages/trust-review/src/allowed.ts'],
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
});
