import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScratchWorkspace, workspaceRoot } from './workspace.js';

/** The projects whose tests read the three apps' cloud assemblies, never the apps' sources. */
const ASSEMBLY_READERS = [
  ['@airlock/rehearsal', 'packages/rehearsal'],
  ['@airlock/trust-review', 'packages/trust-review'],
] as const;

interface PackageJson {
  dependencies?: Record<string, string>;
  nx?: { targets?: { test?: { inputs?: unknown[] } } };
}
const packageJson = (dir: string) =>
  JSON.parse(readFileSync(join(workspaceRoot, dir, 'package.json'), 'utf8')) as PackageJson;

/** A workspace project's own `@airlock/*` dependencies and theirs, as package folders. */
function libraryFolders(dir: string, seen = new Set<string>()): Set<string> {
  for (const name of Object.keys(packageJson(dir).dependencies ?? {}).filter((d) => d.startsWith('@airlock/'))) {
    const folder = `packages/${name.slice('@airlock/'.length)}`;
    if (seen.has(folder)) continue;
    seen.add(folder);
    libraryFolders(folder, seen);
  }
  return seen;
}

let ws: ScratchWorkspace;
// A scratch workspace's first Nx run computes its project graph with no cache: seconds of CPU, minutes under load.
beforeAll(() => {
  ws = new ScratchWorkspace();
}, 300_000);

describe.each(ASSEMBLY_READERS)('the test inputs of %s', (project, dir) => {
  let files: string[];
  beforeAll(() => {
    ({ files } = ws.taskInputs(`${project}:test`));
  }, 300_000);

  it("hold no app's source, so a change to one app that leaves its templates alone is a cache hit here", () => {
    expect(files.filter((file) => file.startsWith('apps/'))).toEqual([]);
  });

  it('hold the production files of every library it depends on, directly or not', () => {
    const libraries = [...libraryFolders(dir)];
    expect(libraries.length).toBeGreaterThan(0);
    for (const library of libraries) {
      expect(
        files.filter((file) => file.startsWith(`${library}/src/`)),
        library,
      ).not.toEqual([]);
      expect(
        files.filter((file) => file.startsWith(`${library}/test/`)),
        library,
      ).toEqual([]);
    }
  });

  it("hold what it reads of the apps' synth outputs: the manifests, templates, asset manifests and assets", () => {
    const globs = (packageJson(dir).nx?.targets?.test?.inputs ?? []).flatMap((input) =>
      typeof input === 'object' && input !== null && 'dependentTasksOutputFiles' in input
        ? [String(input.dependentTasksOutputFiles)]
        : [],
    );
    expect(globs.sort()).toEqual([
      '**/cdk.out/*.assets.json',
      '**/cdk.out/*.template.json',
      '**/cdk.out/asset.*/**',
      '**/cdk.out/manifest.json',
    ]);
  });
});
