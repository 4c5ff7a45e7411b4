import { describe, expect, it } from 'vitest';
import { unconfinedRefusal } from '../../src/run/confinement-policy.js';

const none = { mode: 'none', reason: 'confinement needs root' } as const;
const root = { mode: 'root', reason: '' } as const;

describe('what runs where the kernel cannot confine', () => {
  it('runs the bundled example and faults, whose code is ours', () => {
    expect(unconfinedRefusal(none, { unconfined: false })).toBeUndefined();
  });

  it('refuses another submission without --unconfined, saying why in one line', () => {
    const refusal = unconfinedRefusal(none, { submission: 'their-code', unconfined: false });
    expect(refusal).toBe(
      "refusing to run their-code unconfined (confinement needs root); pass --unconfined to run it with your own user's file system and network",
    );
    expect(unconfinedRefusal(none, { submission: 'their-code', unconfined: true })).toBeUndefined();
  });

  it('never runs an attack unconfined, --unconfined or not', () => {
    expect(unconfinedRefusal(none, { attack: 'all', unconfined: true })).toMatch(/^refusing --attack: .*needs root$/);
  });

  it('refuses nothing where the kernel confines', () => {
    expect(unconfinedRefusal(root, { submission: 'their-code', attack: 'all', unconfined: false })).toBeUndefined();
  });
});
