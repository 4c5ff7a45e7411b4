import { fileURLToPath } from 'node:url';
import { loadEnvironment } from '@airlock/shared/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACKS, rehearseAttack } from '../src/run/attacks.js';
import { Rehearsal } from '../src/run/rehearsal.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

// Never skipped: CI runs as root, and a machine that cannot confine fails here instead of attacking itself.
describe('the attack suite: each hostile submission is contained, its run ends as I8 demands, the host stays clean', () => {
  let rehearsal: Rehearsal;
  beforeAll(async () => {
    rehearsal = await Rehearsal.start({ root, env: loadEnvironment('example') });
    if (rehearsal.confinement.mode !== 'root')
      throw new Error(`confinement unavailable: ${rehearsal.confinement.reason}`);
  });
  afterAll(() => rehearsal?.close());

  it.each(Object.keys(ATTACKS))(
    '%s',
    async (name) => {
      const report = await rehearseAttack(rehearsal, name);
      expect(report.problems).toEqual([]);
      expect(report.outcome.status).toBe(ATTACKS[name]?.status ?? report.outcome.status);
    },
    180_000,
  );
});
