import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScratchWorkspace, workspaceRoot } from './workspace.js';

/**
 * The projects that depend on the apps (to run after their synth) but whose tests never read the apps' sources: each
 * with whether its tests read the apps' cloud assemblies, and the workspace projects its tests run beyond its own
 * dependencies (the canary's test starts a whole rehearsal).
 */
const APP_DEPENDENTS = [
  ['@airlock/rehearsal', 'packages/rehearsal', { readsAssemblies: true, runs: [] }],
  ['@airlock/trust-review', 'packages/trust-review', { readsAssemblies: true, runs: [] }],
  ['@airlock/post-deploy', 'packages/post-deploy', { readsAssemblies: true, runs: [] }],
  ['@airlock/deploy', 'tools/deploy', { readsAssemblies: true, runs: [] }],
  ['@airlock/canary', 'tools/canary', { readsAssemblies: true, runs: ['packages/rehearsal'] }],
  ['@airlock/cli', 'tools/cli', { readsAssemblies: false, runs: [] }],
] as const;

interface PackageJson {
  dependencies?: Record<string, string>;
  nx?: { targets?: { test?: { inputs?: unknown[] } } };
}
const readJson = (path: string) => JSON.parse(readFileSync(join(workspaceRoot, path), 'utf8')) as unknown;
const packageJson = (dir: string) => readJson(join(dir, 'package.json')) as PackageJson;
const namedInputs = (readJson('nx.json') as { namedInputs: Record<string, unknown[]> }).namedInputs;

/** A target's inputs with each named input of nx.json replaced by what it names. */
const expandInputs = (inputs: readonly unknown[]): unknown[] =>
  inputs.flatMap((input) =>
    typeof input === 'string' && input in namedInputs ? expandInputs(namedInputs[input] ?? []) : [input],
  );

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

describe.each(APP_DEPENDENTS)('the test inputs of %s', (project, dir, { runs }) => {
  let files: string[];
  beforeAll(() => {
    ({ files } = ws.taskInputs(`${project}:test`));
  }, 300_000);

  it("hold no app's source, so a change to one app that leaves its templates alone is a cache hit here", () => {
    expect(files.filter((file) => file.startsWith('apps/'))).toEqual([]);
  });

  it('hold the production files of every library it depends on, directly or not', () => {
    const libraries = [
      ...new Set([...libraryFolders(dir), ...runs, ...runs.flatMap((run) => [...libraryFolders(run)])]),
    ];
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
});

describe.each(APP_DEPENDENTS.filter(([, , { readsAssemblies }]) => readsAssemblies))(
  'the test inputs of %s, whose tests read the cloud assemblies,',
  (_project, dir) => {
    it("hold what it reads of the apps' synth outputs: the manifests, templates, asset manifests and assets", () => {
      expect(packageJson(dir).nx?.targets?.test).toMatchObject({ dependsOn: ['^synth'] });
      const globs = expandInputs(packageJson(dir).nx?.targets?.test?.inputs ?? []).flatMap((input) =>
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
  },
);
