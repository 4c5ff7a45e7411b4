import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  AIRLOCK_ERRORS,
  ArchiveRejectedError,
  DATA_PLANE_ACTION,
  isCanaryId,
  isValidId,
  ID_RULE,
  runInputKey,
  runWindow,
  uploadObjectKey,
  type RunGrant,
} from '@airlock/contracts';
import * as v from 'valibot';
import { checkArchive } from '../common/check-archive.js';
import { badRequest, DataPlaneError } from '../common/data-plane-error.js';
import { DATA_PLANE_LIMITS, type DataPlaneLimits } from '../common/limits.js';
import { objectSize } from '../common/object-size.js';
import type { RunRecords, SubmissionRecord } from '../common/run-records.js';

// valibot, not zod, in Lambda code: zod's bundle alone (~400 KB) would break the 250 KB budget; valibot's is ~5 KB.
export const prepareInput = v.strictObject({
  action: v.optional(v.literal(DATA_PLANE_ACTION.prepare)),
  runId: v.pipe(
    v.string(),
    v.check((id: string) => isValidId(id), `runId must be ${ID_RULE}`),
  ),
  submissionId: v.pipe(
    v.string(),
    v.check((id: string) => isValidId(id), `submissionId must be ${ID_RULE}`),
  ),
});

export interface PrepareDeps {
  readonly s3: S3Client;
  readonly records: RunRecords;
  readonly bucket: string;
  /** The untrusted task's own deadline, from the environment config. */
  readonly runTimeoutSeconds: number;
  /** Days the run record is kept: the environment's `retention.resultsDays`, as long as the report. */
  readonly runRetentionDays: number;
  /** Signs this run's URLs with credentials that outlive them; see url-signer.ts. */
  readonly mintGrant: (runId: string, expiresInSeconds: number, deadline: number) => Promise<RunGrant>;
  readonly now: () => number;
  readonly limits?: DataPlaneLimits;
}

/**
 * Trusted step 1: claim the submission for this run (it runs once), check the upload against the digest recorded
 * at upload and against the archive rules, copy the exact bytes that passed to the run's prefix, record the run,
 * and hand out one GET and one POST for this run only. A submission that breaks a rule fails the run cleanly: its
 * record says why and nothing is copied.
 */
export async function prepare(raw: unknown, deps: PrepareDeps): Promise<RunGrant> {
  const parsed = v.safeParse(prepareInput, raw);
  if (!parsed.success) throw badRequest(`prepare: ${parsed.issues.map((i) => i.message).join('; ')}`);
  const { runId, submissionId } = parsed.output;
  const limits = deps.limits ?? DATA_PLANE_LIMITS;
  // The canary's roles read every canary- run's report and record: a canary- run of a customer's submission would
  // hand its report to them. IAM cannot hold StartExecution to a name, so prepare holds the pairing.
  if (isCanaryId(runId) && !isCanaryId(submissionId))
    throw badRequest(`prepare: run ${runId} is a canary run, but submission ${submissionId} is not a canary's`);

  const submission = await deps.records.getSubmission(submissionId);
  if (!submission) throw badRequest(`prepare: submission ${submissionId} does not exist`);
  // The record's writer (an uploader, a canary role) names the archive; only the submission's own upload may run, or
  // a record could run (and reveal the digest of) any object of the bucket.
  if (submission.archiveKey !== uploadObjectKey(submissionId))
    throw badRequest(
      `prepare: submission ${submissionId}'s record names archiveKey ${submission.archiveKey}, not its own upload ` +
        `${uploadObjectKey(submissionId)}. Fix: upload it again under a new submission ID`,
    );
  if (!(await deps.records.startRun(runId, submissionId, deps.runRetentionDays))) {
    const existing = await deps.records.getRun(runId);
    if (!existing || existing.submissionId !== submissionId || !['PREPARING', 'PREPARED'].includes(existing.status)) {
      throw new DataPlaneError(
        AIRLOCK_ERRORS.RunConflict,
        `prepare: run ${runId} already exists (${existing?.status ?? 'unknown'})`,
      );
    }
  }
  try {
    return await claimCheckAndGrant(runId, submissionId, submission, deps, limits);
  } catch (error) {
    // I8: a run that fails after its record exists says why (e.g. a kill switch denied signing its URLs). A
    // DataPlaneError has already recorded its own reason.
    if (!(error instanceof DataPlaneError)) {
      await deps.records.transition(runId, ['PREPARING', 'PREPARED'], 'FAILED', {
        reason: `the run could not be prepared: ${(error as Error).name}`,
      });
    }
    throw error;
  }
}

async function claimCheckAndGrant(
  runId: string,
  submissionId: string,
  submission: SubmissionRecord,
  deps: PrepareDeps,
  limits: DataPlaneLimits,
): Promise<RunGrant> {
  // After the run record, so a refused claim leaves a record that says why.
  const claim = await deps.records.claimSubmission(submissionId, runId);
  if (!claim.claimed) {
    const reason =
      `submission ${submissionId} was already claimed by run ${claim.claimedBy ?? '(unknown)'}: a submission runs ` +
      'once. Fix: upload it again under a new submission ID';
    await deps.records.transition(runId, ['PREPARING', 'PREPARED'], 'FAILED', { reason });
    throw new DataPlaneError(AIRLOCK_ERRORS.RunConflict, `prepare: ${reason}`);
  }

  let archive: Buffer;
  let sha256: string;
  let summary: { entries: number; totalBytes: number };
  try {
    archive = await readArchive(deps, submission.archiveKey, limits.archive.maxArchiveBytes);
    sha256 = createHash('sha256').update(archive).digest('hex');
    checkDigest(sha256, submission.sha256);
    summary = await checkArchive(archive, limits.archive);
  } catch (error) {
    if (!(error instanceof ArchiveRejectedError)) throw error;
    await deps.records.transition(runId, ['PREPARING', 'PREPARED'], 'FAILED', {
      reason: `submission rejected: ${error.reason}`,
    });
    throw new DataPlaneError(AIRLOCK_ERRORS.SubmissionRejected, `submission ${submissionId} rejected: ${error.reason}`);
  }

  // The bytes that passed the check, not a server-side copy of the upload, which could have changed since.
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.bucket,
      Key: runInputKey(runId),
      Body: archive,
      ContentType: 'application/gzip',
    }),
  );
  await deps.records.transition(runId, ['PREPARING', 'PREPARED'], 'PREPARED', {
    inputSha256: sha256,
    entries: summary.entries,
    unpackedBytes: summary.totalBytes,
  });

  const now = deps.now();
  const window = runWindow(deps.runTimeoutSeconds, limits.taskStartMarginMs / 1000);
  return deps.mintGrant(runId, window.urlLifetimeSeconds, now + window.deadlineSeconds * 1000);
}

/** The archive must be the one uploaded: the uploader's digest is in the submission record. */
function checkDigest(actual: string, recorded: string): void {
  if (actual !== recorded.toLowerCase())
    throw new ArchiveRejectedError(
      `the uploaded archive does not match the SHA-256 recorded at upload (recorded ${recorded || '(none)'}, ` +
        `found ${actual}); it changed after upload. Fix: upload it again under a new submission ID`,
    );
}

async function readArchive(deps: PrepareDeps, key: string, maxBytes: number): Promise<Buffer> {
  const size = await objectSize(deps.s3, deps.bucket, key);
  if (size === undefined) throw new ArchiveRejectedError('the uploaded archive is missing');
  if (size > maxBytes) throw new ArchiveRejectedError(`archive is ${size} bytes, over the limit of ${maxBytes}`);
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
  const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  if (bytes.length > maxBytes)
    throw new ArchiveRejectedError(`archive is ${bytes.length} bytes, over the limit of ${maxBytes}`);
  return bytes;
}
