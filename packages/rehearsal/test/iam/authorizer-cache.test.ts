import { describe, expect, it } from 'vitest';
import type { TrustSurface } from '@airlock/cloud-assembly';
import { AccessDenied, Authorizer, FOREIGN_PRINCIPAL } from '../../src/iam/authorizer.js';

const FOREIGN_ACCOUNT = FOREIGN_PRINCIPAL.split(':')[4] ?? '';
const DATA_ACCOUNT = '333333333333';
const OBJECT = 'arn:aws:s3:::some-bucket/some-key';

describe('the authorizer’s decision cache', () => {
  it('keys a decision on the resource’s account too: the same request to another account’s bucket is asked again', async () => {
    // GIVEN an authorizer that has allowed a foreign principal to write to a bucket of its own account
    const authorizer = new Authorizer({ roles: [] } as unknown as TrustSurface);
    await authorizer.authorizeForeign('s3:PutObject', OBJECT, FOREIGN_ACCOUNT, {}, {});
    // WHEN the same request names a bucket of the data account, whose (absent) bucket policy grants nothing
    const crossAccount = authorizer.authorizeForeign('s3:PutObject', OBJECT, DATA_ACCOUNT, {}, {});
    // THEN it is refused, not answered from the first decision
    await expect(crossAccount).rejects.toThrow(AccessDenied);
    expect(authorizer.decisions.map((d) => d.allowed)).toEqual([true, false]);
  });
});
