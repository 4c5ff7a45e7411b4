import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  stateMachineOf,
  validatedDefinitionsDir,
  validationMarkOf,
} from '../../../src/aws/stepfunctions/state-machine.js';

const valid = { StartAt: 'Done', States: { Done: { Type: 'Pass', Result: { ok: true }, End: true } } };
// The same shape with a transition to a state that does not exist.
const invalid = { StartAt: 'Done', States: { Done: { Type: 'Pass', Next: 'Nowhere' } } };
// The valid shape with its only state neither ending nor going anywhere.
const differing = { ...valid, States: { Done: { ...valid.States.Done, End: false } } };

describe('stateMachineOf', () => {
  // Marks outlive the process: one left for these fixed definitions by an earlier (broken) build must not decide.
  beforeAll(() => {
    for (const definition of [valid, invalid, differing]) rmSync(validationMarkOf(definition), { force: true });
  });

  it('runs a valid definition, again and again once it was validated, leaving the definition as it was', async () => {
    const copy = structuredClone(valid);
    for (let i = 0; i < 2; i++) expect(await stateMachineOf(copy).run({}).result).toEqual({ ok: true });
    expect(copy).toEqual(valid);
  });

  it('refuses an invalid definition every time it is asked, and one that differs from a validated one', () => {
    stateMachineOf(valid);
    for (let i = 0; i < 2; i++) expect(() => stateMachineOf(structuredClone(invalid))).toThrow(/Nowhere/);
    expect(() => stateMachineOf(differing)).toThrow(/State machine definition is invalid/);
  });

  it('marks a definition for later processes only once it passed validation, and trusts that mark', () => {
    // Definitions no earlier run has seen: a comment unique to this test.
    const fresh = { ...valid, Comment: randomUUID() };
    const freshInvalid = { ...invalid, Comment: randomUUID() };
    for (let i = 0; i < 2; i++) expect(() => stateMachineOf(structuredClone(freshInvalid))).toThrow(/Nowhere/);
    expect(existsSync(validationMarkOf(freshInvalid))).toBe(false);
    stateMachineOf(fresh);
    expect(existsSync(validationMarkOf(fresh))).toBe(true);
    // A mark is what lets a later process skip the validator: planted for an invalid definition, nothing refuses it.
    const planted = { ...invalid, Comment: randomUUID() };
    mkdirSync(validatedDefinitionsDir, { recursive: true });
    writeFileSync(validationMarkOf(planted), '');
    expect(() => stateMachineOf(planted)).not.toThrow();
  });
});
