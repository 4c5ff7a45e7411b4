import { describe, expect, it } from 'vitest';
import { ATTACKS } from '../../src/run/attacks.js';
import { FAULTS } from '../../src/run/faults.js';
import { ATTACK_NAMES, FAULT_NAMES } from '../../src/run/scenario-names.js';

// The command line accepts exactly these names: one defined but not listed could never be run, one listed but not
// defined would pass the command line and fail after the synth.
describe('the names npm start takes', () => {
  it('are the faults defined, in their order', () => {
    expect(FAULT_NAMES).toEqual(Object.keys(FAULTS));
  });

  it('are the attacks defined, in their order', () => {
    expect(ATTACK_NAMES).toEqual(Object.keys(ATTACKS));
  });
});
