import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purge } from '../../src/functions/purge/purge-core.js';
import { startLocalStores, type LocalStores } from './local-stores.js';

let stores: LocalStores;
beforeAll(async () => {
  stores = await startLocalStores();
});
afterAll(() => stores.stop());

describe('purge', () => {
  it('deletes all 1,500 objects of a run, page by page, and nothing of any other run or prefix', async () => {
    const keep = [
      'runs/run-10/output.json',
      'runs/run-1x',
      'runs/run-2/input.tar.gz',
      'results/run-1/report.json',
      'uploads/run-1.tar.gz',
    ];
    const mine = Array.from({ length: 1500 }, (_, i) => `runs/run-1/part-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < mine.length; i += 100) await Promise.all(mine.slice(i, i + 100).map((k) => stores.put(k, 'x')));
    await Promise.all(keep.map((k) => stores.put(k, 'x')));

    expect(await purge({ action: 'purge', runId: 'run-1' }, { s3: stores.s3, bucket: stores.bucket })).toEqual({
      runId: 'run-1',
      deleted: 1500,
    });
    expect(await stores.keys()).toEqual([...keep].sort());
  });

  it('is idempotent: purging again deletes nothing and succeeds', async () => {
    expect(await purge({ runId: 'run-1' }, { s3: stores.s3, bucket: stores.bucket })).toEqual({
      runId: 'run-1',
      deleted: 0,
    });
  });

  it.each(['', '..', 'run-1/..', '*', 'run 1'])('refuses the run ID %j', async (runId) => {
    await expect(purge({ runId }, { s3: stores.s3, bucket: stores.bucket })).rejects.toMatchObject({
      name: 'Airlock.BadRequest',
    });
  });
});
