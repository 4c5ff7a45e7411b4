import type { RunGrant } from '@airlock/contracts';
import { describe, expect, it } from 'vitest';
import { statePath } from '../src/state-paths.js';

describe('state paths', () => {
  it('builds a field path from a contract field', () => {
    const grant = statePath<RunGrant>('$.finalize.task');
    expect(grant.path).toBe('$.finalize.task');
    expect(grant.field('inputUrl')).toBe('$.finalize.task.inputUrl');
    // @ts-expect-error: a field the contract does not have fails typecheck, so a renamed field breaks the build.
    expect(grant.field('inputURL')).toBe('$.finalize.task.inputURL');
  });

  it.each(['finalize.task', '$.finalize..task', '$.a[0]', '$'])('fails when the path is %j', (path) => {
    expect(() => statePath(path)).toThrow(`state path must look like "$.a.b" (letters and digits), got "${path}"`);
  });
});
