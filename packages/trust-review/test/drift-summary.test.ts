import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { driftLines, type Baseline } from '../src/baseline.js';
import { driftSummary } from '../src/drift-summary.js';

const committed = JSON.parse(
  readFileSync(new URL('../../../security/trust-baseline.json', import.meta.url), 'utf8'),
) as Baseline;
type Mutable<T> = T extends readonly (infer U)[]
  ? Mutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Mutable<T[K]> }
    : T;
/** A copy of the committed baseline, edited as a change to the templates would edit the surface. */
function changed(edit: (b: Mutable<Baseline>) => void): Baseline {
  const copy = structuredClone(committed) as Mutable<Baseline>;
  edit(copy);
  return copy as Baseline;
}
const launcher = (b: Mutable<Baseline>) => b.roles.find((r) => r.role.endsWith('-sandbox-launcher'))!;

describe('npm run review -- --diff', () => {
  it('says nothing changed when the surface is the baseline', () => {
    expect(driftLines(committed, committed)).toEqual([]);
    expect(driftSummary([], [])).toContain('No change since the reviewed baseline.');
  });

  it('puts an added Allow and a removed Deny under "Broadens", an added Deny and a removed Allow under "Narrows"', () => {
    const now = changed((b) => {
      const role = launcher(b);
      const [firstAllow] = role.permissions;
      role.permissions = [
        ...role.permissions.slice(1),
        { Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*' },
        { Effect: 'Deny', Action: 'ecs:RunTask', Resource: '*' },
      ];
      expect(firstAllow?.Effect).toBe('Allow');
    });
    const lines = driftLines(committed, now);
    expect(lines.filter((l) => l.direction === 'broadens').map((l) => l.text)).toEqual([
      'role sandbox/{prefix}-{env}-sandbox-launcher: + permission: Allow ecs:ListTasks on *',
    ]);
    expect(lines.filter((l) => l.direction === 'narrows').map((l) => l.text)).toEqual([
      expect.stringMatching(/^role sandbox\/\{prefix\}-\{env\}-sandbox-launcher: - permission: Allow /),
      'role sandbox/{prefix}-{env}-sandbox-launcher: + permission: Deny ecs:RunTask on *',
    ]);
    // Put back, the Deny's removal broadens.
    expect(
      driftLines(now, committed)
        .filter((l) => l.direction === 'broadens')
        .map((l) => l.text),
    ).toContainEqual('role sandbox/{prefix}-{env}-sandbox-launcher: - permission: Deny ecs:RunTask on *');
  });

  it('counts a new role, edge or attached policy as broadening, and network lines as read either way', () => {
    const now = changed((b) => {
      b.roles.push({ ...launcher(b), role: 'sandbox/{prefix}-{env}-debug' });
      b.crossAccountEdges.push({ from: 'arn:aws:iam::999999999999:root', to: 'data/x', conditions: {} });
      launcher(b).managedPolicyArns = ['arn:aws:iam::aws:policy/AdministratorAccess'];
      launcher(b).permissionsBoundary = 'none';
      b.network[0] = { ...b.network[0]!, lines: [...b.network[0]!.lines, 'egress 0.0.0.0/0 all ports'] };
    });
    const lines = driftLines(committed, now);
    const broadens = lines.filter((l) => l.direction === 'broadens').map((l) => l.text);
    expect(broadens).toEqual(
      expect.arrayContaining([
        'role sandbox/{prefix}-{env}-debug was added',
        'cross-account edge arn:aws:iam::999999999999:root → data/x was added',
        'role sandbox/{prefix}-{env}-sandbox-launcher: + managed policy: arn:aws:iam::aws:policy/AdministratorAccess',
        'role sandbox/{prefix}-{env}-sandbox-launcher: permissions boundary changed from arn:aws:iam::{sandbox}:policy/{prefix}-{env}-sandbox-boundary to none',
      ]),
    );
    expect(lines).toContainEqual({
      text: `network resource ${committed.network[0]!.subject}: + egress 0.0.0.0/0 all ports`,
      direction: 'changes',
    });
  });

  it('never counts losing a policy that may hold a Deny as narrowing (a managed policy detached or removed)', () => {
    const withDenyAll = changed((b) => launcher(b).managedPolicyArns.push('arn:aws:iam::aws:policy/AWSDenyAll'));
    const holder = committed.roles.find((r) =>
      r.managedPolicyArns.some((arn) => arn.endsWith('policy/{prefix}-{env}-data-cfn-broadening')),
    )!;
    const detached = changed((b) => {
      b.roles.find((r) => r.role === holder.role)!.managedPolicyArns = [];
      b.managedPolicies = b.managedPolicies.filter((p) => p.policy !== 'sandbox/{prefix}-{env}-sandbox-boundary');
    });
    const narrows = [...driftLines(withDenyAll, committed), ...driftLines(committed, detached)]
      .filter((l) => l.direction === 'narrows')
      .map((l) => l.text);
    expect(narrows).not.toContainEqual(expect.stringContaining('AWSDenyAll'));
    expect(narrows).not.toContainEqual(expect.stringContaining('cfn-broadening'));
    expect(narrows).not.toContainEqual(expect.stringContaining('Deny'));
  });

  it('prints broadening first, caps each section with a count of what it left out, and lists findings', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ text: `+ permission ${i}`, direction: 'broadens' as const }));
    const summary = driftSummary([{ text: '- permission x', direction: 'narrows' }, ...many], ['rule: subject: bad']);
    expect(summary.indexOf('Broadens')).toBeLessThan(summary.indexOf('Narrows'));
    expect(summary).toContain('**Broadens: grants more than the reviewed baseline (30)**');
    expect(summary).toContain('- … and 5 more (`npm run review` prints every line)');
    expect(summary).toContain('**Findings (1)**');
    expect(summary.split('\n').length).toBeLessThan(50);
  });
});
