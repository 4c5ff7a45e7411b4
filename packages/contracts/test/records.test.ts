import { describe, expect, it } from 'vitest';
import { SUBMISSION_RECORD_ATTRIBUTES, SUBMISSION_RECORD_CONDITION, submissionRecordItem } from '../src/records.js';

describe('submission record', () => {
  it('is one item, keyed by the submission, waiting to run, pointing at its upload, with its digest and expiry', () => {
    const item = submissionRecordItem({
      submissionId: 'sub-1',
      sha256: 'ab'.repeat(32),
      bytes: 42,
      submitter: 'arn:aws:sts::333333333333:assumed-role/operator/alice',
      receivedAt: new Date('2026-11-24T00:00:00Z'),
      retentionDays: 30,
    });
    expect(item).toEqual({
      pk: { S: 'submission#sub-1' },
      status: { S: 'UPLOADED' },
      archiveKey: { S: 'uploads/sub-1.tar.gz' },
      sha256: { S: 'ab'.repeat(32) },
      bytes: { N: '42' },
      submitter: { S: 'arn:aws:sts::333333333333:assumed-role/operator/alice' },
      receivedAt: { S: '2026-11-24T00:00:00.000Z' },
      expiresAt: { N: String(Date.parse('2026-12-24T00:00:00Z') / 1000) },
    });
    expect(SUBMISSION_RECORD_CONDITION).toBe('attribute_not_exists(pk)');
    // An uploader's permission lists SUBMISSION_RECORD_ATTRIBUTES: a new attribute must be added there too.
    expect(Object.keys(item).sort()).toEqual([...SUBMISSION_RECORD_ATTRIBUTES].sort());
  });
});
