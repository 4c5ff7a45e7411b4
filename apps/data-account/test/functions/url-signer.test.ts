import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { signerSessionPolicy } from '@airlock/contracts';
import { assumeSigner } from '../../src/functions/common/url-signer.js';

const BUCKET = 'arn:aws:s3:::airlock-example-data-333333333333-eu-west-1';
const KEY = 'arn:aws:kms:eu-west-1:333333333333:key/k';
const SANDBOX = '222222222222';
const RUN_7 = { bucketArn: BUCKET, keyArn: KEY, runId: 'run-7', sandboxAccount: SANDBOX };

describe('signer session', () => {
  it("admits only this run's input for reading and output for writing, through the sandbox's endpoints only", () => {
    expect(signerSessionPolicy(RUN_7)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadThisRunsInput',
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: `${BUCKET}/runs/run-7/input.tar.gz`,
          Condition: { StringEquals: { 'aws:VpceAccount': SANDBOX } },
        },
        {
          Sid: 'WriteThisRunsOutput',
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: `${BUCKET}/runs/run-7/output.json`,
          Condition: { StringEquals: { 'aws:VpceAccount': SANDBOX } },
        },
        // No network condition on KMS: S3 calls it on the caller's behalf, from no endpoint of ours.
        { Sid: 'UseTheBucketKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY },
      ],
    });
    expect(JSON.stringify(signerSessionPolicy(RUN_7))).not.toContain('*');
  });

  it('assumes the signer role with that session policy, for at least as long as the URLs live', async () => {
    const sts = new STSClient({ region: 'eu-west-1' });
    const mock = mockClient(sts);
    mock.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S', SessionToken: 'T', Expiration: new Date(0) },
    });
    const credentials = await assumeSigner(sts, {
      roleArn: 'arn:aws:iam::333333333333:role/signer',
      ...RUN_7,
      lifetimeSeconds: 1234.5,
    });
    expect(credentials).toEqual({ accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration: new Date(0) });
    const input = mock.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      RoleArn: 'arn:aws:iam::333333333333:role/signer',
      RoleSessionName: 'airlock-run-7',
      DurationSeconds: 1235,
    });
    expect(JSON.parse(input.Policy!)).toEqual(signerSessionPolicy(RUN_7));
    await assumeSigner(sts, { roleArn: 'r', ...RUN_7, runId: 'run-8', lifetimeSeconds: 60 });
    expect(mock.commandCalls(AssumeRoleCommand)[1]!.args[0].input.DurationSeconds).toBe(900);
  });
});
