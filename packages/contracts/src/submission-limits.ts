import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './archive/archive-policy.js';

/** Every limit a submission's author meets, defined once (the README's "Writing a submission" is tested against it). */
export interface SubmissionLimits {
  /** The uploaded archive: compressed size, entries, unpacked size, path length (prepare and the runner). */
  readonly archive: ArchiveLimits;
  /** Largest result file the runner passes on. */
  readonly maxResultBytes: number;
  /** Kept from the end of each of stdout and stderr: by the runner, in the run record and the report, on screen. */
  readonly outputTailBytes: number;
  /** Largest `output.json` (result, exit status, tails): the output POST's content-length-range and finalize's bound. */
  readonly maxOutputBytes: number;
  /** Kept back from the run's deadline for the upload of `output.json`: the submission is killed this much earlier. */
  readonly uploadReserveSeconds: number;
}

export const SUBMISSION_LIMITS: SubmissionLimits = {
  archive: DEFAULT_ARCHIVE_LIMITS,
  maxResultBytes: 64 * 1024,
  // Two tails stay far below DynamoDB's 400 KB item and Step Functions' 256 KiB payload, even escaped as JSON.
  outputTailBytes: 4 * 1024,
  maxOutputBytes: 256 * 1024,
  uploadReserveSeconds: 10,
};

/**
 * The last `maxBytes` bytes of `text` in UTF-8, starting on a character boundary: how a tail is bounded before it is
 * stored, whatever a sender claimed its size was.
 */
export function lastUtf8Bytes(text: string, maxBytes: number = SUBMISSION_LIMITS.outputTailBytes): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return text;
  let start = bytes.length - maxBytes;
  // Skip UTF-8 continuation bytes (10xxxxxx) so the kept part starts with a whole character.
  while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start += 1;
  return new TextDecoder().decode(bytes.subarray(start));
}
