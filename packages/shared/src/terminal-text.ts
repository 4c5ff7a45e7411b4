// C0 controls but tab and newline, DEL, C1 controls (a lone 0x9b is CSI on some terminals), and the Unicode
// direction overrides and isolates that reorder what a reader sees.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's whole job
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const visible = (char: string) => `\\x${(char.codePointAt(0) ?? 0).toString(16).padStart(2, '0')}`;

/**
 * Untrusted text (a submission's output) made safe to print on a terminal: every control character, escape
 * sequences included, is shown as its `\xNN` code instead of acting, so the text can neither move the cursor, clear
 * or recolour the screen, nor overwrite a line with `\r`.
 */
export function terminalSafe(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(UNSAFE, visible);
}

/**
 * Untrusted text as a quoted block: made `terminalSafe`, each line behind `prefix`, so no line of it can pass for a
 * line of the tool's own output (a forged "✓ SUCCEEDED" still reads as quoted).
 */
export function quoteUntrusted(text: string, prefix: string): string {
  const lines = terminalSafe(text).replace(/\n$/, '').split('\n');
  return lines.map((line) => `${prefix}${line}`).join('\n');
}
