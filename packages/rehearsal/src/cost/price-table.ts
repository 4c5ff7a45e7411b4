/**
 * AWS list prices the rehearsal prices a run with. us-east-1 on-demand prices, read on 2026-11-24 from stored copies
 * of the pages named in `sources` (no network here to read eu-west-1's); other regions differ by up to about 30 %.
 * Change the figures and `read` together, from the pages themselves.
 */
export const PRICE_TABLE = {
  region: 'us-east-1',
  read: '2026-11-24',
  currency: 'USD',
  sources: [
    'https://aws.amazon.com/step-functions/pricing/',
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/fargate/pricing/ (as summarized at https://www.vantage.sh/blog/fargate-pricing)',
    'https://aws.amazon.com/s3/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/kms/pricing/',
  ],
  stepFunctions: {
    /** Standard: per state transition ($0.025 per 1,000); the monthly free tier is ignored. */
    standardTransition: 0.000025,
    /** Express: per request ($1.00 per million). */
    expressRequest: 0.000001,
    /** Express: per GB-second, billed in 100 ms steps and 64 MB chunks. */
    expressGbSecond: 0.00001667,
  },
  lambda: {
    /** Per request ($0.20 per million). */
    request: 0.0000002,
    /** Per GB-second, billed per millisecond, by architecture (first pricing tier). */
    gbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  },
  fargate: {
    /** Linux, per vCPU-hour and GB-hour, billed per second with a one-minute minimum. */
    vcpuHour: { ARM64: 0.03238, X86_64: 0.04048 },
    gbHour: { ARM64: 0.00356, X86_64: 0.004445 },
  },
  s3: {
    /** S3 Standard: PUT, COPY, POST, LIST per request ($0.005 per 1,000); GET per request ($0.0004 per 1,000); DELETE free. */
    write: 0.000005,
    read: 0.0000004,
  },
  dynamodb: {
    /** On-demand: per write request unit ($0.625 per million) and read request unit ($0.125 per million). */
    writeUnit: 0.000000625,
    readUnit: 0.000000125,
  },
  kms: {
    /** Per API request ($0.03 per 10,000). */
    request: 0.000003,
  },
} as const;

export type PriceTable = typeof PRICE_TABLE;
