import { describe, expect, it } from 'vitest';
import type { ObjectAccess } from '../../src/aws/s3/s3-front.js';
import type { Rehearsal } from '../../src/run/rehearsal.js';
import { isolationProblems } from '../../src/run/run-statistics.js';

const SIGNER = 'arn:aws:iam::333333333333:role/airlock-example-data-UrlSigner1234';
const PREPARE = 'arn:aws:iam::333333333333:role/airlock-example-data-PrepareRole5678';
const access = (
  accessKeyId: string,
  roleArn: string,
  key: string,
  via: ObjectAccess['via'] = 'sandbox endpoint',
): ObjectAccess => ({ accessKeyId, roleArn, action: 's3:GetObject', key, allowed: true, via });
const rehearsalWith = (accesses: ObjectAccess[]) =>
  ({ accesses, artifacts: { signerRoleArn: SIGNER } }) as unknown as Rehearsal;

describe('isolationProblems', () => {
  it("reports a signer session that touched two runs' objects", () => {
    const rehearsal = rehearsalWith([
      access('ASIA1', SIGNER, 'runs/run-1/input.tar.gz'),
      access('ASIA1', SIGNER, 'runs/run-2/output.json'),
    ]);
    expect(isolationProblems(rehearsal, [])).toEqual(['credentials ASIA1 touched runs/run-1/ and runs/run-2/']);
  });

  it("reports a presigned request allowed from outside the sandbox's network", () => {
    const rehearsal = rehearsalWith([access('ASIA3', SIGNER, 'runs/run-1/input.tar.gz', 'elsewhere')]);
    expect(isolationProblems(rehearsal, [])).toEqual([
      "a presigned s3:GetObject of runs/run-1/input.tar.gz was allowed from outside the sandbox's network",
    ]);
  });

  it('ignores a trusted function that works on many runs (only the signer role is held to one run)', () => {
    const rehearsal = rehearsalWith([
      access('ASIA2', PREPARE, 'runs/run-1/input.tar.gz'),
      access('ASIA2', PREPARE, 'runs/run-2/input.tar.gz'),
    ]);
    expect(isolationProblems(rehearsal, [])).toEqual([]);
  });
});
