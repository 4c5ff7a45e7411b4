import { describe, expect, it } from 'vitest';
import { lastUtf8Bytes } from '../src/index.js';

describe('lastUtf8Bytes', () => {
  it('keeps text within the bound as it is', () => {
    expect(lastUtf8Bytes('Error: boom\n', 12)).toBe('Error: boom\n');
  });

  it('keeps the end, starting on a whole character, never over the bound in UTF-8', () => {
    expect(lastUtf8Bytes('abc€€', 7)).toBe('c€€');
    expect(lastUtf8Bytes('abc€€', 5)).toBe('€');
    expect(lastUtf8Bytes('😀😀', 5)).toBe('😀');
  });
});
