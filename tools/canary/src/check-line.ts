import { terminalSafe } from '@airlock/shared/terminal-text';

/** One line of the canary's report: the same words on the rehearsal and on AWS, so two reports compare line by line. */
export interface CheckLine {
  readonly check: string;
  readonly verdict: 'PASS' | 'FAIL' | 'NOT CHECKED';
  /** What was observed (PASS, FAIL) or why it was not checked. */
  readonly detail: string;
}

/**
 * A line's words hold text the canary does not control (the probe's findings, a run's reason): every control
 * character, newline included, is shown as its `\xNN` code, so the text neither acts on a terminal nor starts a line
 * of its own (which could pass for a verdict, or close the job summary's code block and inject markdown).
 */
export const oneLine = (text: string): string => terminalSafe(text).replace(/\n/g, '\\x0a');
const line = (check: string, verdict: CheckLine['verdict'], detail: string): CheckLine => ({
  check: oneLine(check),
  verdict,
  detail: oneLine(detail),
});

export const pass = (check: string, detail: string): CheckLine => line(check, 'PASS', detail);
export const fail = (check: string, detail: string): CheckLine => line(check, 'FAIL', detail);
export const notChecked = (check: string, why: string): CheckLine => line(check, 'NOT CHECKED', why);

/** Said with every report: which lines the canary observed itself and which are the probe's own claims. */
export const PROBE_CLAIMS_NOTE =
  'Lines "probe: ..." are the probe\'s own claims from inside the task (untrusted code could forge them); the run ' +
  'lines and the runs/ lines the canary read itself from Step Functions, DynamoDB and S3.';

/** `PASS  <check>: <detail>`; NOT CHECKED carries its reason in parentheses, as the report promises. */
export const formatLine = (line: CheckLine): string =>
  line.verdict === 'NOT CHECKED'
    ? `NOT CHECKED (${line.detail})  ${line.check}`
    : `${line.verdict}  ${line.check}: ${line.detail}`;
