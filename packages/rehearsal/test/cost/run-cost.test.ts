import { describe, expect, it } from 'vitest';
import { runCost, type RunUsage } from '../../src/cost/run-cost.js';

// A run worked out by hand at the table's us-east-1 prices, line by line.
const usage: RunUsage = {
  standardTransitions: 11,
  expressExecutions: [{ ms: 250 }, { ms: 120 }, { ms: 1000 }],
  lambdaInvocations: [
    { ms: 200, memoryMb: 512, architecture: 'arm64' },
    { ms: 100.2, memoryMb: 512, architecture: 'arm64' },
    { ms: 1500, memoryMb: 512, architecture: 'arm64' },
  ],
  fargateTask: { vcpu: 0.5, memoryGb: 1, seconds: 42, architecture: 'ARM64' },
  s3: { writes: 3, reads: 2 },
  dynamodb: { writeUnits: 6, readUnits: 4 },
  kmsRequests: 2,
};

describe('runCost', () => {
  it('prices each service as AWS bills it', () => {
    const { lines, totalUsd } = runCost(usage);
    const usd = Object.fromEntries(lines.map((l) => [l.service, l.usd]));
    // 11 transitions × $0.000025
    expect(usd['Step Functions Standard (transitions)']).toBeCloseTo(0.000275, 12);
    // 3 requests × $0.000001
    expect(usd['Step Functions Express (requests)']).toBeCloseTo(0.000003, 12);
    // 0.3 + 0.2 + 1.0 s (100 ms steps) × 64 MB (0.0625 GB) × $0.00001667
    expect(usd['Step Functions Express (GB-seconds)']).toBeCloseTo(0.0000015628125, 12);
    // 3 requests × $0.0000002
    expect(usd['Lambda (requests)']).toBeCloseTo(0.0000006, 12);
    // (0.200 + 0.101 + 1.500) s (whole ms) × 0.5 GB × $0.0000133334
    expect(usd['Lambda (GB-seconds)']).toBeCloseTo(0.0000120067267, 12);
    // 42 s billed as the 60 s minimum: 0.5 vCPU × 1/60 h × $0.03238; 1 GB × 1/60 h × $0.00356
    expect(usd['Fargate (vCPU)']).toBeCloseTo(0.000269833333, 12);
    expect(usd['Fargate (memory)']).toBeCloseTo(0.0000593333333, 12);
    // 3 writes × $0.000005 + 2 reads × $0.0000004
    expect(usd['S3 (requests)']).toBeCloseTo(0.0000158, 12);
    // 6 WRU × $0.000000625 + 4 RRU × $0.000000125
    expect(usd['DynamoDB (on-demand requests)']).toBeCloseTo(0.00000425, 12);
    // 2 requests × $0.000003
    expect(usd['KMS (requests)']).toBeCloseTo(0.000006, 12);
    expect(totalUsd).toBeCloseTo(0.000647386205867, 12);
  });

  it('bills a task by the second once past the minute', () => {
    const long = runCost({ ...usage, fargateTask: { vcpu: 0.5, memoryGb: 1, seconds: 90.2, architecture: 'ARM64' } });
    // 91 s: 0.5 vCPU × 91/3600 h × $0.03238
    expect(long.lines.find((l) => l.service === 'Fargate (vCPU)')?.usd).toBeCloseTo((0.5 * 91 * 0.03238) / 3600, 12);
  });

  it('charges nothing for Fargate when no task started', () => {
    const { fargateTask: _none, ...withoutTask } = usage;
    const cost = runCost(withoutTask);
    expect(cost.lines.filter((l) => l.service.startsWith('Fargate')).map((l) => l.usd)).toEqual([0, 0]);
  });
});
