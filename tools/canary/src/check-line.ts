/** One line of the canary's report: the same words on the rehearsal and on AWS, so two reports compare line by line. */
export interface CheckLine {
  readonly check: string;
  readonly verdict: 'PASS' | 'FAIL' | 'NOT CHECKED';
  /** What was observed (PASS, FAIL) or why it was not checked. */
  readonly detail: string;
}

export const pass = (check: string, detail: string): CheckLine => ({ check, verdict: 'PASS', detail });
export const fail = (check: string, detail: string): CheckLine => ({ check, verdict: 'FAIL', detail });
export const notChecked = (check: string, why: string): CheckLine => ({ check, verdict: 'NOT CHECKED', detail: why });

/** `PASS  <check>: <detail>`; NOT CHECKED carries its reason in parentheses, as the report promises. */
export const formatLine = (line: CheckLine): string =>
  line.verdict === 'NOT CHECKED'
    ? `NOT CHECKED (${line.detail})  ${line.check}`
    : `${line.verdict}  ${line.check}: ${line.detail}`;
