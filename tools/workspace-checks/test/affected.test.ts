import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScratchWorkspace } from './workspace.js';

const ACCOUNT_APPS = ['@airlock/data-account', '@airlock/orchestrator-account', '@airlock/sandbox-account'];

describe('nx affected', () => {
  let ws: ScratchWorkspace;
  beforeAll(() => {
    ws = new ScratchWorkspace();
  });

  function commitChangeTo(file: string): void {
    // A trailing newline changes the file's hash and keeps any file (TypeScript or JSON) valid.
    appendFileSync(join(ws.root, file), '\n');
    ws.commitAll(`touch ${file}`);
  }

  function touch(file: string): string[] {
    commitChangeTo(file);
    return ws.affectedByLastCommit();
  }

  it.each([
    ['sandbox', 'apps/sandbox-account/src/sandbox-account-stack.ts', '@airlock/sandbox-account'],
    ['data', 'apps/data-account/src/data-account-stack.ts', '@airlock/data-account'],
    ['orchestrator', 'apps/orchestrator-account/src/orchestrator-account-stack.ts', '@airlock/orchestrator-account'],
  ])('a change to the %s app affects that account app and neither other', (_name, file, app) => {
    const affected = touch(file);
    expect(affected).toContain(app);
    expect(affected.filter((p) => ACCOUNT_APPS.includes(p))).toEqual([app]);
    expect(affected).not.toContain('@airlock/shared');
  });

  it('a change to packages/shared affects all three account apps', () => {
    const affected = touch('packages/shared/src/trust.ts');
    expect(affected).toEqual(expect.arrayContaining([...ACCOUNT_APPS, '@airlock/shared']));
  });

  it('a change to packages/contracts affects all three account apps and the operator CLI', () => {
    const affected = touch('packages/contracts/src/names.ts');
    expect(affected).toEqual(expect.arrayContaining([...ACCOUNT_APPS, '@airlock/contracts', '@airlock/cli']));
  });

  it('gives the deploy workflows\' "is my app affected" step the same answers', () => {
    commitChangeTo('apps/data-account/src/data-account-stack.ts');
    const answers = ws.isAffected(ACCOUNT_APPS);
    expect(ACCOUNT_APPS.map((app, i) => [app, answers[i]])).toEqual([
      ['@airlock/data-account', 'true'],
      ['@airlock/orchestrator-account', 'false'],
      ['@airlock/sandbox-account', 'false'],
    ]);
    commitChangeTo('packages/shared/src/trust.ts');
    expect(ws.isAffected(ACCOUNT_APPS)).toEqual(['true', 'true', 'true']);
  });

  it('a change to an environment file affects all three account apps', () => {
    const affected = touch('packages/shared/environments/example.json');
    expect(affected).toEqual(expect.arrayContaining(ACCOUNT_APPS));
  });
});
