import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SCRATCH_PATH } from '@airlock/contracts';

/** The Dockerfile's instructions in order, comments and blank lines dropped: `[keyword, arguments]`. */
const instructions = readFileSync(fileURLToPath(new URL('../Dockerfile', import.meta.url)), 'utf8')
  .split('\n')
  .filter((line) => line.trim() && !line.trimStart().startsWith('#'))
  .map((line) => {
    const [keyword = '', ...rest] = line.trim().split(/\s+/);
    return [keyword.toUpperCase(), rest.join(' ')] as const;
  });
const indexOf = (keyword: string, args: RegExp) => instructions.findIndex(([k, a]) => k === keyword && args.test(a));

// Docker cannot run here; what Fargate does with the image is checked on the instructions it acts on.
describe('the runner image', () => {
  it('starts from one base image pinned by digest, so a re-pushed tag cannot change what runs untrusted code', () => {
    const bases = instructions.filter(([k]) => k === 'FROM').map(([, image]) => image);
    expect(bases).toHaveLength(1);
    expect(bases[0]).toMatch(/^public\.ecr\.aws\/docker\/library\/node:22-alpine@sha256:[0-9a-f]{64}$/);
  });

  it('declares the scratch volume after giving it to uid 10001, so Fargate seeds the bind mount with that owner', () => {
    const chown = indexOf('RUN', new RegExp(`chown 10001:10001 ${SCRATCH_PATH}$`));
    const volume = indexOf('VOLUME', new RegExp(`^${SCRATCH_PATH}$`));
    expect(chown).toBeGreaterThanOrEqual(0);
    // A VOLUME declared before the chown would freeze the directory root-owned (later RUNs do not change it).
    expect(volume).toBeGreaterThan(chown);
  });

  it('runs as uid 10001 with the runner as entrypoint; the role comes from the container command', () => {
    expect(instructions.filter(([k]) => k === 'USER')).toEqual([['USER', '10001:10001']]);
    expect(instructions.filter(([k]) => k === 'ENTRYPOINT')).toEqual([
      ['ENTRYPOINT', '["node", "/opt/airlock/runner.mjs"]'],
    ]);
    expect(instructions.filter(([k]) => k === 'CMD')).toEqual([]);
  });
});
