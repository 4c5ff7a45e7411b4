import { describe, expect, it } from 'vitest';
import { quoteUntrusted, terminalSafe } from '../src/terminal-text.js';

describe('terminalSafe', () => {
  it('shows escape sequences, carriage returns and other controls as codes instead of letting them act', () => {
    const hostile = 'work\r  ✓ SUCCEEDED\x1b[2J\x1b]0;title\x07\x9b31m\u202eevil\x00';
    const safe = terminalSafe(hostile);
    expect(safe).toBe('work\\x0d  ✓ SUCCEEDED\\x1b[2J\\x1b]0;title\\x07\\x9b31m\\x202eevil\\x00');
    // eslint-disable-next-line no-control-regex -- asserts that no control character is left
    expect(safe).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });

  it('keeps ordinary text, tabs, newlines and CRLF line ends readable', () => {
    expect(terminalSafe('Error: boom\r\n\tat main.mjs:3\n€ ok')).toBe('Error: boom\n\tat main.mjs:3\n€ ok');
  });
});

describe('quoteUntrusted', () => {
  it('puts every line behind the prefix, so a forged status line still reads as quoted', () => {
    expect(quoteUntrusted('fine\n  ✓ SUCCEEDED\n', '    │ ')).toBe('    │ fine\n    │   ✓ SUCCEEDED');
  });
});
