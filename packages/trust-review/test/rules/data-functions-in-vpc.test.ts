import { describe, expect, it } from 'vitest';
import { dataFunctionsInVpc } from '../../src/rules/data-functions-in-vpc.js';
import { networkResource, otherResource, surfaceOf } from './surface.js';

const subnet = {
  ...networkResource('AWS::EC2::Subnet', 'Subnet1', {}),
  account: 'data' as const,
  stack: 'airlock-example-data',
};
const prepare = (properties: Record<string, unknown>) =>
  otherResource('data', 'AWS::Lambda::Function', 'Prepare', {
    Role: 'arn:aws:iam::333333333333:role/prepare',
    ...properties,
  });

describe('data-functions-in-vpc', () => {
  it('is compliant for a function in a subnet of the data VPC, and skips CDK’s custom-resource provider', () => {
    const surface = surfaceOf({
      networkResources: [subnet],
      otherResources: [
        prepare({ VpcConfig: { SubnetIds: ['airlock-example-data-Subnet1'], SecurityGroupIds: ['Group.GroupId'] } }),
        otherResource('data', 'AWS::Lambda::Function', 'Provider', {
          Handler: '__entrypoint__.handler',
          Role: 'arn:aws:iam::333333333333:role/airlock-example-data-CustomVpcRestrictDefaultSGCustomResourceProviderRole26592FE0',
        }),
      ],
    });
    expect(dataFunctionsInVpc.check(surface)).toEqual([
      { account: 'data', subject: 'function Prepare', compliance: 'compliant' },
    ]);
  });

  it('fails a function outside the VPC, and one in a subnet that is not the VPC’s', () => {
    const messages = (properties: Record<string, unknown>) =>
      dataFunctionsInVpc
        .check(surfaceOf({ networkResources: [subnet], otherResources: [prepare(properties)] }))
        .map((v) => v.compliance === 'non-compliant' && v.message);
    expect(messages({})).toEqual([
      'runs outside the VPC (no VpcConfig subnets and security groups): it reaches the internet. Fix: place it in the isolated subnets',
    ]);
    expect(messages({ VpcConfig: { SubnetIds: ['subnet-public'], SecurityGroupIds: ['Group.GroupId'] } })).toEqual([
      "runs in subnet subnet-public, not one of the data VPC's. Fix: place it in the isolated subnets",
    ]);
  });
});
