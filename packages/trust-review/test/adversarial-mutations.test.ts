import { describe, expect, it } from 'vitest';
import { exitCodeOf, EXIT } from '../src/review.js';
import { scratch, type Template } from './scratch-workspace.js';

// An adversarial review of the review: a pipeline or account author widening what untrusted code, the orchestrator
// or a pipeline can reach, each change one the review once passed in silence (exit 0). Each must now fail it, and
// the findings or the drift must name the change.
const entries = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const idOf = (t: Template, type: string, prefix: string) => entries(t, type).find(([id]) => id.startsWith(prefix))![0];
const DATA_BUCKET = 'airlock-example-data-333333333333-eu-west-1';
const FOREIGN = '999999999999';

async function reviewOf(ws: ReturnType<typeof scratch>) {
  const result = await ws.run();
  return {
    exit: exitCodeOf(result),
    findings: result.findings.map((f) => `${f.rule}: ${f.subject}: ${f.message}`),
    drift: result.drift,
  };
}

describe('the review fails on a change it once passed in silence', () => {
  it('a function URL on the prepare function (anyone calls it as its role)', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      t.Resources.Url = {
        Type: 'AWS::Lambda::Url',
        Properties: {
          AuthType: 'NONE',
          TargetFunctionArn: { 'Fn::GetAtt': [idOf(t, 'AWS::Lambda::Function', 'Prepare'), 'Arn'] },
        },
      };
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toEqual([
      expect.stringMatching(
        /^no-function-url: AWS::Lambda::Url Url: gives .*PrepareFunction.* a function URL \(auth NONE\)/,
      ),
    ]);
    expect(review.drift).toContain('resource data/{prefix}-{env}-data/AWS::Lambda::Url/Url was added');
  });

  it("a second function running as the prepare step's role", async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      const prepare = t.Resources[idOf(t, 'AWS::Lambda::Function', 'Prepare')]!;
      t.Resources.Copier = {
        Type: 'AWS::Lambda::Function',
        Properties: { ...prepare.Properties, Code: { ZipFile: 'exports.handler = async () => {}' } },
      };
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toContainEqual(
      expect.stringMatching(
        /^one-role-per-function: function Copier: runs as .*PrepareRole.*, which function PrepareFunction/,
      ),
    );
  });

  it('an EventBridge rule that also sends every run object event to another account’s bus', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      const rule = t.Resources[idOf(t, 'AWS::Events::Rule', 'LateObjectSweeper')]!;
      rule.Properties.Targets.push({ Arn: `arn:aws:events:eu-west-1:${FOREIGN}:event-bus/default`, Id: 'Elsewhere' });
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toEqual([
      expect.stringMatching(
        /^no-foreign-account-reference: AWS::Events::Rule LateObjectSweeper\w+: Targets\[1\]\.Arn names .*999999999999/,
      ),
    ]);
  });

  it('an event bus policy that lets another account put events', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      t.Resources.BusPolicy = {
        Type: 'AWS::Events::EventBusPolicy',
        Properties: { StatementId: 'partner', Action: 'events:PutEvents', Principal: FOREIGN },
      };
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toContainEqual(
      `no-cross-account-resource-policy: AWS::Events::EventBusPolicy BusPolicy: grants ${FOREIGN} (another account)`,
    );
  });

  it('a log subscription that streams a function’s log events to another account', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      t.Resources.Subscription = {
        Type: 'AWS::Logs::SubscriptionFilter',
        Properties: {
          LogGroupName: { Ref: idOf(t, 'AWS::Logs::LogGroup', 'PrepareLogs') },
          FilterPattern: '',
          DestinationArn: `arn:aws:logs:eu-west-1:${FOREIGN}:destination:collector`,
        },
      };
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toEqual([
      expect.stringMatching(
        /^no-foreign-account-reference: AWS::Logs::SubscriptionFilter Subscription: DestinationArn names/,
      ),
    ]);
  });

  it("the data bucket's public access block removed and its object events sent to another account's topic", async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      const bucket = t.Resources[idOf(t, 'AWS::S3::Bucket', 'StoreData')]!;
      delete bucket.Properties.PublicAccessBlockConfiguration;
      bucket.Properties.NotificationConfiguration = {
        TopicConfigurations: [{ Event: 's3:ObjectCreated:*', Topic: `arn:aws:sns:eu-west-1:${FOREIGN}:objects` }],
      };
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^no-foreign-account-reference: AWS::S3::Bucket StoreData\w+: NotificationConfiguration/),
        `s3-bucket-closed: bucket ${DATA_BUCKET}: does not set PublicAccessBlockConfiguration.BlockPublicPolicy. Fix: set it to true`,
      ]),
    );
  });

  it('a second bucket policy on the data bucket, from the deploy-access stack (it would replace the reviewed one)', async () => {
    const ws = scratch();
    ws.editDeployAccess('data', (t) => {
      t.Resources.Replacement = {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: DATA_BUCKET,
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::333333333333:role/airlock-example-data-deploy' },
                Action: 's3:GetObject',
                Resource: `arn:aws:s3:::${DATA_BUCKET}/*`,
              },
            ],
          },
        },
      };
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toEqual([
      expect.stringMatching(
        /^s3-bucket-closed: bucket .*: has 2 bucket policies \(.*, airlock-example-data-deploy-access\/Replacement\)/,
      ),
    ]);
  });

  it('an S3 access point whose policy admits another account', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      t.Resources.AccessPoint = {
        Type: 'AWS::S3::AccessPoint',
        Properties: {
          Bucket: DATA_BUCKET,
          Policy: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` },
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:eu-west-1:333333333333:accesspoint/partner/object/*',
              },
            ],
          },
        },
      };
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toEqual([
      `no-cross-account-resource-policy: AWS::S3::AccessPoint AccessPoint: grants arn:aws:iam::${FOREIGN}:root (another account)`,
    ]);
  });

  it('a Secrets Manager resource policy admitting another account', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      t.Resources.Secret = { Type: 'AWS::SecretsManager::Secret', Properties: {} };
      t.Resources.SecretPolicy = {
        Type: 'AWS::SecretsManager::ResourcePolicy',
        Properties: {
          SecretId: { Ref: 'Secret' },
          ResourcePolicy: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` },
                Action: 'secretsmanager:GetSecretValue',
                Resource: '*',
              },
            ],
          },
        },
      };
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toContain(
      `no-cross-account-resource-policy: AWS::SecretsManager::ResourcePolicy SecretPolicy: grants arn:aws:iam::${FOREIGN}:root (another account)`,
    );
  });

  it('an SDK call run at deploy by a custom resource (AwsCustomResource) is drift, with the call in words', async () => {
    const ws = scratch();
    const call = JSON.stringify({ service: 'S3', action: 'putBucketPolicy', parameters: { Bucket: DATA_BUCKET } });
    ws.edit('data', (t) => {
      t.Resources.SdkCall = {
        Type: 'Custom::AWS',
        Properties: {
          ServiceToken: { 'Fn::GetAtt': [idOf(t, 'AWS::Lambda::Function', 'CustomVpcRestrictDefaultSG'), 'Arn'] },
          Create: call,
        },
      };
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.DRIFT);
    expect(review.drift).toContain(
      `resource data/{prefix}-{env}-data/Custom::AWS/SdkCall: + Create = ${call.replace(DATA_BUCKET, '{prefix}-{env}-data-{data}-{region}')}`,
    );
  });
});

describe('the review fails on a change it once passed with drift alone', () => {
  it('the prepare function taken out of the data VPC (it parses hostile archives)', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      delete t.Resources[idOf(t, 'AWS::Lambda::Function', 'Prepare')]!.Properties.VpcConfig;
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toEqual([
      expect.stringMatching(/^data-functions-in-vpc: function PrepareFunction\w+: runs outside the VPC/),
    ]);
  });

  it('an Allow with NotAction on the orchestrator role (everything but IAM, sts:AssumeRole on * included)', async () => {
    const ws = scratch();
    ws.edit('orchestrator', (t) => {
      const [, policy] = entries(t, 'AWS::IAM::Policy')[0]!;
      policy.Properties.PolicyDocument.Statement.push({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' });
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toContain(
      'no-allow-not-action: role airlock-example-orchestrator: allows every action except "iam:*". Fix: list the actions it needs',
    );
  });

  it('sandbox egress on 443 to a prefix list that is not S3’s (a customer list may hold any address)', async () => {
    const ws = scratch();
    ws.edit('sandbox', (t) => {
      const [, egress] = entries(t, 'AWS::EC2::SecurityGroupEgress')[0]!;
      const { DestinationSecurityGroupId: _group, ...rule } = egress.Properties;
      t.Resources.Anywhere = {
        Type: 'AWS::EC2::SecurityGroupEgress',
        Properties: { ...rule, DestinationPrefixListId: 'pl-0123456789abcdef0' },
      };
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toContain(
      'sandbox-network-closed: network: Anywhere allows egress tcp 443-443 pl-0123456789abcdef0',
    );
  });
});

// The issue's own list, where the other tests had no case of it.
describe('the review fails on the changes issue 15 lists', () => {
  it('a second workflow whose state assumes the data invoker with Credentials', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      const [, machine] = entries(t, 'AWS::StepFunctions::StateMachine')[0]!;
      t.Resources.Reader = {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          RoleArn: machine.Properties.RoleArn,
          StateMachineName: 'reader',
          DefinitionString: JSON.stringify({
            StartAt: 'Read',
            States: {
              Read: {
                Type: 'Task',
                Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
                Credentials: { RoleArn: 'arn:aws:iam::333333333333:role/airlock-example-data-invoker' },
                Parameters: { Bucket: DATA_BUCKET, Key: 'runs/x' },
                End: true,
              },
            },
          }),
        },
      };
    });
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toContain(
      'state-machine-tasks: state machine reader: state Read of reader assumes a role with Credentials; only the analysis workflow may',
    );
  });

  it.each([
    [
      'a NAT gateway with a default route',
      (t: Template) => {
        t.Resources.Nat = { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: 'subnet-public' } };
        t.Resources.ToNat = {
          Type: 'AWS::EC2::Route',
          Properties: {
            RouteTableId: { Ref: entries(t, 'AWS::EC2::RouteTable')[0]![0] },
            DestinationCidrBlock: '0.0.0.0/0',
            NatGatewayId: { Ref: 'Nat' },
          },
        };
      },
      'Nat is a NAT gateway',
    ],
    [
      'a transit gateway attachment',
      (t: Template) => {
        t.Resources.Transit = {
          Type: 'AWS::EC2::TransitGatewayAttachment',
          Properties: { TransitGatewayId: 'tgw-1', VpcId: { Ref: entries(t, 'AWS::EC2::VPC')[0]![0] }, SubnetIds: [] },
        };
      },
      'Transit is a',
    ],
  ])('%s in the sandbox', async (_name, change, named) => {
    const ws = scratch();
    ws.edit('sandbox', change);
    const review = await reviewOf(ws);
    expect(review.exit).toBe(EXIT.FINDINGS);
    expect(review.findings).toContainEqual(expect.stringContaining(`sandbox-network-closed: network: ${named}`));
  });
});
