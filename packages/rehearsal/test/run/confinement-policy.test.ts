import { describe, expect, it } from 'vitest';
import { confinementLine, unconfinedRefusal } from '../../src/run/confinement-policy.js';

const none = { mode: 'none', reason: 'confinement needs root' } as const;
const root = { mode: 'root', reason: '' } as const;
const user = { mode: 'user', reason: '' } as const;

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

  it('refuses nothing where the kernel confines without root either', () => {
    expect(unconfinedRefusal(user, { submission: 'their-code', attack: 'all', unconfined: false })).toBeUndefined();
  });
});

describe("the summary's confinement line", () => {
  it('says which confinement ran', () => {
    expect(confinementLine(root)).toMatch(/^Confinement: kernel, as root \(.*uid 10001 on the host, cgroup limits\)/);
    expect(confinementLine(user)).toMatch(/^Confinement: kernel, without root \(user namespaces: /);
    expect(confinementLine(none)).toMatch(/^Confinement: NONE — confinement needs root\./);
  });

  it('says what user mode does not give: the invoking user on the host, no cgroups, no CPU limit', () => {
    const line = confinementLine(user);
    expect(line).toContain('the submission runs as YOU');
    expect(line).toContain('RLIMIT_DATA per process');
    expect(line).toContain('no CPU limit');
    expect(line).toContain('RLIMIT_NPROC instead of pids.max');
  });

  it('says, where no systemd user scope can be had (CI has no user manager), that a watchdog and not the kernel bounds memory', () => {
    const line = confinementLine(user);
    expect(line).toContain('no cgroup (no systemd user scope here)');
    expect(line).toContain("the rehearsal's watchdog, not the kernel");
    expect(line).toContain('pipe pages and page tables not counted');
  });
});
