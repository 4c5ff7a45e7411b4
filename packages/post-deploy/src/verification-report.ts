import { formatResult, type CheckResult } from './check-result.js';

export interface VerificationReport {
  /** One line per check, for the log. */
  readonly lines: string[];
  /** The same for the job summary, MISMATCH and NOT CHECKED first. */
  readonly markdown: string;
  /** Each MISMATCH line; the command fails when there is any. */
  readonly mismatches: string[];
}

/** The verify output: every check's line, and the MISMATCHes that fail the command. */
export function verificationReport(title: string, results: readonly CheckResult[]): VerificationReport {
  const lines = results.map(formatResult);
  const of = (status: CheckResult['status']) => results.filter((r) => r.status === status).map(formatResult);
  const mismatches = of('MISMATCH');
  const section = (heading: string, items: string[]) =>
    items.length > 0 ? [`#### ${heading} (${items.length})`, '', ...items.map((l) => `- ${l}`), ''] : [];
  const markdown = [
    `### ${title}: ${mismatches.length > 0 ? `${mismatches.length} MISMATCH` : 'no mismatch'}`,
    '',
    ...section('MISMATCH', mismatches),
    ...section('NOT CHECKED', of('NOT CHECKED')),
    ...section('VERIFIED', of('VERIFIED')),
  ].join('\n');
  return { lines, markdown: `${markdown}\n`, mismatches };
}
