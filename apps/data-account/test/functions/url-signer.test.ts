import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { assumeSigner, signerSessionPolicy } from '../../src/functions/common/url-signer.js';

const BUCKET = 'arn:aws:s3:::airlock-example-data-333333333333-eu-west-1';
const KEY = 'arn:aws:kms:eu-west-1:333333333333:key/k';

describe('signer session', () => {
  it("admits only this run's input for reading and output for writing", () => {
    expect(signerSessionPolicy(BUCKET, KEY, 'run-7')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadThisRunsInput',
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: `${BUCKET}/runs/run-7/input.tar.gz`,
        },
        {
          Sid: 'WriteThisRunsOutput',
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: `${BUCKET}/runs/run-7/output.json`,
        },
        { Sid: 'UseTheBucketKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY },
      ],
    });
    expect(JSON.stringify(signerSessionPolicy(BUCKET, KEY, 'run-7'))).not.toContain('*');
  });

  it('assumes the signer role with that session policy, for at least as long as the URLs live', async () => {
    const sts = new STSClient({ region: 'eu-west-1' });
    const mock = mockClient(sts);
    mock.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S', SessionToken: 'T', Expiration: new Date(0) },
    });
    const credentials = await assumeSigner(sts, {
      roleArn: 'arn:aws:iam::333333333333:role/signer',
      bucketArn: BUCKET,
      keyArn: KEY,
      runId: 'run-7',
      lifetimeSeconds: 1234.5,
    });
    expect(credentials).toEqual({ accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration: new Date(0) });
    const input = mock.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      RoleArn: 'arn:aws:iam::333333333333:role/signer',
      RoleSessionName: 'airlock-run-7',
      DurationSeconds: 1235,
    });
    expect(JSON.parse(input.Policy!)).toEqual(signerSessionPolicy(BUCKET, KEY, 'run-7'));
    await assumeSigner(sts, { roleArn: 'r', bucketArn: BUCKET, keyArn: KEY, runId: 'run-8', lifetimeSeconds: 60 });
    expect(mock.commandCalls(AssumeRoleCommand)[1]!.args[0].input.DurationSeconds).toBe(900);
  });
});
