import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnvironment, selectEnvironmentName } from '../src/index.js';
import { exampleFile } from './example-environment.js';

function writeEnvironment(name: string, content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-env-'));
  writeFileSync(join(dir, `${name}.json`), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadEnvironment', () => {
  it('loads the checked-in example environment', () => {
    const env = loadEnvironment('example');
    expect(env).toEqual({
      ...exampleFile,
      // Not in the file: the defaults.
      retention: { uploadsDays: 30, submissionRecordDays: 30, resultsDays: 90 },
      historyReaders: { orchestrator: [], sandbox: [] },
      environment: 'example',
      partition: 'aws',
    });
  });

  it('defaults run settings that an environment leaves out', () => {
    const { run: _omitted, ...withoutRun } = exampleFile;
    const env = loadEnvironment('dev', writeEnvironment('dev', withoutRun));
    expect(env.run.timeoutSeconds).toBe(300);
  });

  it('fails with one line per problem, each naming the file, the field and the fix', () => {
    const dir = writeEnvironment('bad', {
      prefix: 'my app',
      region: 'mars-1',
      accounts: { orchestrator: '11111111111', sandbox: '222222222222', data: '222222222222' },
      sandbox: exampleFile.sandbox,
      data: exampleFile.data,
      organization: exampleFile.organization,
    });
    const lines = problemsOf(() => loadEnvironment('bad', dir));
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).toMatch(/bad\.json: /);
      expect(line).toMatch(/Fix: /);
    }
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/bad\.json: prefix: "my app" is not a valid resource prefix/),
        expect.stringMatching(/bad\.json: region: "mars-1" is not an AWS region/),
        expect.stringMatching(
          /bad\.json: accounts\.orchestrator: must be a 12-digit AWS account ID, got "11111111111" \(11 characters\)/,
        ),
        expect.stringMatching(
          /bad\.json: accounts\.data: is the same account as accounts\.sandbox \(222222222222\)\. Each account is an isolation boundary/,
        ),
      ]),
    );
  });

  it('fails when a field is missing or unknown', () => {
    const { region: _missing, ...noRegion } = exampleFile;
    const lines = problemsOf(() =>
      loadEnvironment('typo', writeEnvironment('typo', { ...noRegion, regoin: 'eu-west-1' })),
    );
    expect(lines).toEqual([
      expect.stringMatching(/typo\.json: region: is missing\. Fix: add "region"/),
      expect.stringMatching(/typo\.json: \(file\): unknown field "regoin"\. Fix: remove it or check the spelling/),
    ]);
  });

  it('fails when a derived name would break an AWS naming limit', () => {
    const dir = writeEnvironment('longenvname1', {
      ...exampleFile,
      prefix: 'abcdefghijklmnopqrst',
      region: 'ap-southeast-2',
    });
    const lines = problemsOf(() => loadEnvironment('longenvname1', dir));
    expect(lines).toEqual([
      expect.stringMatching(
        /longenvname1\.json: prefix\/environment: the data bucket name ".*" is 66 characters, over the AWS limit of 63\. Fix: shorten/,
      ),
    ]);
  });

  it('fails when the organization is missing or its ID is not one, naming the field and the fix', () => {
    const { organization: _missing, ...noOrganization } = exampleFile;
    expect(problemsOf(() => loadEnvironment('noorg', writeEnvironment('noorg', noOrganization)))).toEqual([
      expect.stringMatching(
        /noorg\.json: organization: is missing\. Fix: add "organization": \{ "id": "o-…" \}.*describe-organization/,
      ),
    ]);
    const lines = problemsOf(() =>
      loadEnvironment('badorg', writeEnvironment('badorg', { ...exampleFile, organization: { id: 'r-abcd' } })),
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /badorg\.json: organization\.id: "r-abcd" is not an AWS Organizations ID .* Fix: copy Id from `aws organizations describe-organization`/,
      ),
    ]);
  });

  it('fails when the run timeout would let presigned URLs outlive one hour', () => {
    const lines = problemsOf(() =>
      loadEnvironment('slow', writeEnvironment('slow', { ...exampleFile, run: { timeoutSeconds: 7200 } })),
    );
    expect(lines).toEqual([expect.stringMatching(/slow\.json: run\.timeoutSeconds: must be at most 3000 seconds/)]);
  });

  it('keeps uploads, submission records and results for default periods when the file says nothing', () => {
    expect(loadEnvironment('example').retention).toEqual({
      uploadsDays: 30,
      submissionRecordDays: 30,
      resultsDays: 90,
    });
  });

  it('fails when submission records would expire before the archives they describe', () => {
    const lines = problemsOf(() =>
      loadEnvironment(
        'short',
        writeEnvironment('short', { ...exampleFile, retention: { uploadsDays: 60, submissionRecordDays: 7 } }),
      ),
    );
    expect(lines).toEqual([
      expect.stringMatching(/short\.json: retention\.submissionRecordDays: must be at least retention\.uploadsDays/),
    ]);
  });

  it('fails when a history reader is given as an ARN rather than a role name', () => {
    const lines = problemsOf(() =>
      loadEnvironment(
        'readers',
        writeEnvironment('readers', {
          ...exampleFile,
          historyReaders: { orchestrator: ['arn:aws:iam::111111111111:role/operator'] },
        }),
      ),
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /readers\.json: historyReaders\.orchestrator\.0: "arn:aws:iam::111111111111:role\/operator" is not an IAM role name\. Fix: give the role's name \(not its ARN\)/,
      ),
    ]);
  });

  it('fails when the S3 prefix list ID is not one', () => {
    const lines = problemsOf(() =>
      loadEnvironment(
        'pl',
        writeEnvironment('pl', { ...exampleFile, sandbox: { s3PrefixListId: 'com.amazonaws.s3' } }),
      ),
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /pl\.json: sandbox\.s3PrefixListId: "com\.amazonaws\.s3" is not a prefix list ID\. Fix: run `aws ec2 describe-managed-prefix-lists/,
      ),
    ]);
  });

  it("fails when the data account's network is missing, naming the section and what to add", () => {
    const { data: _missing, ...noData } = exampleFile;
    expect(problemsOf(() => loadEnvironment('nodata', writeEnvironment('nodata', noData)))).toEqual([
      expect.stringMatching(
        /nodata\.json: data: is missing\. Fix: add "data": \{ "s3PrefixListId": "pl-…", "dynamodbPrefixListId": "pl-…" \}/,
      ),
    ]);
  });

  it('fails when the DynamoDB prefix list ID is not one, naming the field and how to find it', () => {
    const lines = problemsOf(() =>
      loadEnvironment(
        'ddb',
        writeEnvironment('ddb', { ...exampleFile, data: { ...exampleFile.data, dynamodbPrefixListId: 'dynamodb' } }),
      ),
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /ddb\.json: data\.dynamodbPrefixListId: "dynamodb" is not a prefix list ID\. Fix: run `aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com\.amazonaws\.<region>\.dynamodb`/,
      ),
    ]);
  });

  it('defaults the data network to two zones and refuses none, a repeated zone or a zone of another region', () => {
    expect(loadEnvironment('example').data.availabilityZones).toBeUndefined();
    const withZones = (name: string, zones: string[]) =>
      problemsOf(() =>
        loadEnvironment(
          name,
          writeEnvironment(name, { ...exampleFile, data: { ...exampleFile.data, availabilityZones: zones } }),
        ),
      );
    expect(withZones('nozones', [])).toEqual([
      expect.stringMatching(/nozones\.json: data\.availabilityZones: must list at least one availability zone\. Fix: /),
    ]);
    expect(withZones('twice', ['eu-west-1a', 'eu-west-1a'])).toEqual([
      expect.stringMatching(/twice\.json: data\.availabilityZones: lists an availability zone twice\. Fix: /),
    ]);
    expect(withZones('foreign', ['eu-west-1a', 'us-east-1b'])).toEqual([
      expect.stringMatching(
        /foreign\.json: data\.availabilityZones\.1: "us-east-1b" is not a zone of region eu-west-1\. Fix: use e\.g\. "eu-west-1a"$/,
      ),
    ]);
  });

  it('fails on invalid JSON, an unknown environment or a bad environment name', () => {
    expect(problemsOf(() => loadEnvironment('broken', writeEnvironment('broken', '{ "prefix": ')))).toEqual([
      expect.stringMatching(/broken\.json: is not valid JSON .* Fix: correct the syntax/),
    ]);
    expect(problemsOf(() => loadEnvironment('nope'))).toEqual([
      expect.stringMatching(/nope\.json: no such environment file\. Fix: .*example/),
    ]);
    expect(problemsOf(() => loadEnvironment('Prod'))).toEqual([
      expect.stringMatching(/environment name "Prod" must be/),
    ]);
  });
});

describe('selectEnvironmentName', () => {
  it('prefers CDK context, then AIRLOCK_ENV, then the example environment', () => {
    expect(selectEnvironmentName('prod', { AIRLOCK_ENV: 'dev' })).toBe('prod');
    expect(selectEnvironmentName(undefined, { AIRLOCK_ENV: 'dev' })).toBe('dev');
    expect(selectEnvironmentName(undefined, {})).toBe('example');
  });
});
