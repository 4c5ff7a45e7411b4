import { describe, expect, it } from 'vitest';
import * as keys from '../src/data-keys.js';

describe('data keys', () => {
  it('places every object of a run under its own prefix, and results apart', () => {
    expect(keys.uploadObjectKey('sub-1')).toBe('uploads/sub-1.tar.gz');
    expect(keys.runInputKey('run-1')).toBe('runs/run-1/input.tar.gz');
    expect(keys.runOutputKey('run-1')).toBe('runs/run-1/output.json');
    expect(keys.runInputKey('run-1').startsWith(keys.runPrefix('run-1'))).toBe(true);
    expect(keys.resultReportKey('run-1')).toBe('results/run-1/report.json');
    expect([keys.submissionRecordKey('a'), keys.runRecordKey('a')]).toEqual(['submission#a', 'run#a']);
  });

  it.each(['', '-x', '../x', 'a/b', 'a b', 'a"b', 'x'.repeat(65), 'run-1*'])('rejects the ID %j', (id) => {
    expect(keys.isValidId(id)).toBe(false);
  });

  it.each(['a', 'run-2026-11-23_01', 'x'.repeat(64)])('accepts the ID %j', (id) => {
    expect(keys.isValidId(id)).toBe(true);
  });
});
