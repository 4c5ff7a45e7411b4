import { RegionInfo } from 'aws-cdk-lib/region-info';
import { z } from 'zod';

/** The three AWS accounts; each is an isolation boundary, deployed by its own pipeline. */
export const ACCOUNT_ROLES = ['orchestrator', 'sandbox', 'data'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

const ACCOUNT_ID = /^\d{12}$/;
// The Organizations API's pattern for an organization ID.
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
// Lowercase so every derived name is also a valid S3 bucket name; no leading/trailing/double hyphen.
const NAME_PART = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_PREFIX = 20;
const KNOWN_REGIONS = new Set(RegionInfo.regions.map((r) => r.name));

const accountId = (role: AccountRole) =>
  z
    .string({ error: `the ${role} account ID is missing. Fix: add "${role}": "<12-digit account ID>"` })
    .regex(ACCOUNT_ID, {
      error: (issue) =>
        `must be a 12-digit AWS account ID, got "${String(issue.input)}" (${String(issue.input).length} characters). ` +
        'Fix: copy the ID from the AWS console, digits only, keeping leading zeros',
    });

const prefixListId = (service: 's3' | 'dynamodb') =>
  z
    .string({ error: `is missing. Fix: add the ID of the region's ${service} prefix list (see README)` })
    .regex(/^pl-[0-9a-f]{8,17}$/, {
      error: (issue) =>
        `"${String(issue.input)}" is not a prefix list ID. Fix: run \`aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.<region>.${service}\` and copy PrefixListId`,
    });

const availabilityZoneName = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, { error: 'must be an availability zone name such as "eu-west-1a"' });

const retentionDays = (field: string, fallback: number) =>
  z
    .number({ error: `must be a number of days. Fix: e.g. "${field}": ${fallback}` })
    .int({ error: 'must be a whole number of days' })
    .min(1, { error: 'must be at least 1 day. Fix: raise it' })
    .max(3650, { error: 'must be at most 3650 days (ten years). Fix: lower it' })
    .default(fallback);

const roleName = (field: string) =>
  z.string().regex(/^[\w+=,.@-]{1,64}$/, {
    error: (issue) =>
      `"${String(issue.input)}" is not an IAM role name. Fix: give the role's name (not its ARN) in ${field}, e.g. "operator"`,
  });

export const environmentFileSchema = z.strictObject({
  prefix: z
    .string({ error: 'is missing. Fix: add "prefix": "airlock" (lowercase letters, digits, single hyphens)' })
    .max(MAX_PREFIX, {
      error: `must be at most ${MAX_PREFIX} characters so derived names fit AWS limits. Fix: shorten it`,
    })
    .regex(NAME_PART, {
      error: (issue) =>
        `"${String(issue.input)}" is not a valid resource prefix. ` +
        'Fix: use lowercase letters, digits and single hyphens, starting with a letter (e.g. "airlock")',
    }),
  region: z
    .string({ error: 'is missing. Fix: add "region": "eu-west-1" (or another AWS region)' })
    .refine((r) => KNOWN_REGIONS.has(r), {
      error: (issue) =>
        `"${String(issue.input)}" is not an AWS region this CDK version knows. Fix: use a region code such as "eu-west-1" or "us-east-1"`,
    }),
  accounts: z.strictObject(
    {
      orchestrator: accountId('orchestrator'),
      sandbox: accountId('sandbox'),
      data: accountId('data'),
    },
    { error: 'is missing. Fix: add "accounts": { "orchestrator": "…", "sandbox": "…", "data": "…" }' },
  ),
  run: z
    .strictObject({
      /** Hard deadline of the untrusted task; presigned URLs live this long plus a margin, never over one hour. */
      timeoutSeconds: z
        .number({ error: 'must be a number of seconds. Fix: e.g. "timeoutSeconds": 300' })
        .int({ error: 'must be a whole number of seconds' })
        .min(30, { error: 'must be at least 30 seconds: a Fargate task needs time to start. Fix: raise it' })
        .max(3000, {
          error:
            'must be at most 3000 seconds: presigned URLs (deadline + margin) may not outlive one hour. Fix: lower it',
        }),
    })
    .default({ timeoutSeconds: 300 }),
  /** How long customer data is kept, so nothing is kept forever by accident. */
  retention: z
    .strictObject({
      /** Uploaded archives under `uploads/` (an S3 lifecycle rule). */
      uploadsDays: retentionDays('uploadsDays', 30),
      /** Submission records (DynamoDB TTL, set at upload); at least as long as the archive they describe. */
      submissionRecordDays: retentionDays('submissionRecordDays', 30),
      /** Reports under `results/` (an S3 lifecycle rule); run records are kept as long, so run IDs are not reused. */
      resultsDays: retentionDays('resultsDays', 90),
    })
    .refine((r) => r.submissionRecordDays >= r.uploadsDays, {
      path: ['submissionRecordDays'],
      error:
        'must be at least retention.uploadsDays: an archive without its record could never run, and its ID never be reused. Fix: raise it',
    })
    .default({ uploadsDays: 30, submissionRecordDays: 30, resultsDays: 90 }),
  sandbox: z.strictObject(
    {
      /**
       * The region's managed prefix list for S3 (`com.amazonaws.<region>.s3`): the task's only egress besides the
       * interface endpoints. Not derivable at synth without an AWS call, so it is configuration.
       */
      s3PrefixListId: prefixListId('s3'),
      /** Two or more AZs of the region; fixed in config so synth needs no AZ lookup (and no credentials). */
      availabilityZones: z
        .array(availabilityZoneName)
        .min(2, { error: 'must list at least two availability zones. Fix: e.g. ["eu-west-1a", "eu-west-1b"]' })
        .optional(),
    },
    { error: 'is missing. Fix: add "sandbox": { "s3PrefixListId": "pl-…" }' },
  ),
  /** The data account's network: the data-plane functions run in isolated subnets and reach AWS through endpoints. */
  data: z.strictObject(
    {
      /** The security group of the functions allows 443 to these prefix lists only (and to the interface endpoints). */
      s3PrefixListId: prefixListId('s3'),
      dynamodbPrefixListId: prefixListId('dynamodb'),
      /**
       * One subnet per AZ, and each interface endpoint (STS, KMS) is billed per AZ-hour: the list's length is the
       * cost lever. One AZ is allowed (a dev environment that accepts an AZ outage); the default is two.
       */
      availabilityZones: z
        .array(availabilityZoneName)
        .min(1, { error: 'must list at least one availability zone. Fix: e.g. ["eu-west-1a", "eu-west-1b"]' })
        .max(6, {
          error: 'must list at most six availability zones: each one adds interface-endpoint hours. Fix: list fewer',
        })
        .refine((zones) => new Set(zones).size === zones.length, {
          error: 'lists an availability zone twice. Fix: list each zone once',
        })
        .optional(),
    },
    {
      error:
        'is missing. Fix: add "data": { "s3PrefixListId": "pl-…", "dynamodbPrefixListId": "pl-…" } (the region\'s prefix lists, see README)',
    },
  ),
  /**
   * Roles (by name, in their own account) that may read the Standard workflows' execution history besides the
   * workflows themselves: the history holds each run's presigned URLs, so its key lets no one else decrypt.
   */
  historyReaders: z
    .strictObject({
      orchestrator: z.array(roleName('historyReaders.orchestrator')).default([]),
      sandbox: z.array(roleName('historyReaders.sandbox')).default([]),
    })
    .default({ orchestrator: [], sandbox: [] }),
  /**
   * The AWS Organizations organization that holds the three accounts: its ID is what the data account's resource
   * control policy admits (`aws:PrincipalOrgID`), and its management account attaches the generated guardrails.
   */
  organization: z.strictObject(
    {
      id: z.string({ error: 'is missing. Fix: add "id": "o-…"' }).regex(ORGANIZATION_ID, {
        error: (issue) =>
          `"${String(issue.input)}" is not an AWS Organizations ID ("o-" and 10 to 32 lowercase letters or digits). ` +
          'Fix: copy Id from `aws organizations describe-organization` (run in any account of the organization)',
      }),
    },
    {
      error:
        'is missing. Fix: add "organization": { "id": "o-…" }, the organization that holds the three accounts (`aws organizations describe-organization` prints its Id)',
    },
  ),
  /** Where the pipelines run: their OIDC tokens are trusted for this repository and this environment only. */
  github: z
    .strictObject({
      repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, {
        error: (issue) => `"${String(issue.input)}" is not a GitHub repository. Fix: use "owner/name"`,
      }),
    })
    .optional(),
});

export type EnvironmentFile = z.infer<typeof environmentFileSchema>;

/** A validated environment: the file's content plus its name (the file's base name) and partition. */
export interface AirlockEnvironment extends EnvironmentFile {
  readonly environment: string;
  readonly partition: string;
}

/** Environment names follow the same rule as the prefix; they become part of every resource name. */
export const ENVIRONMENT_NAME = NAME_PART;
export const MAX_ENVIRONMENT_NAME = 12;

export function partitionOf(region: string): string {
  const partition = RegionInfo.get(region).partition;
  if (!partition) throw new Error(`Region "${region}" has no known partition`);
  return partition;
}
