import { describe, expect, it } from 'vitest';
import { exitCodeOf, EXIT } from '../src/review.js';
import { scratch } from './scratch-workspace.js';

// Found by an attack review: widening the data-plane VPC was only baseline drift (exit 2, a reviewer's call), never a
// finding. The rules now read it (sandbox-network-closed for both VPCs, data-plane-endpoints).
describe('the data-plane network', () => {
  it('is a finding when the S3 endpoint admits any bucket of any account (aws:ResourceAccount dropped, * resource)', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      const s3 = t.Resources.NetworkVpcS334FC449B!;
      for (const s of s3.Properties.PolicyDocument.Statement) {
        delete s.Condition;
        s.Resource = '*';
      }
    });
    const result = await ws.run();
    expect(result.drift).not.toEqual([]);
    expect(exitCodeOf(result)).toBe(EXIT.FINDINGS);
  });

  it('is a finding when an isolated subnet gets a default route to an internet gateway', async () => {
    const ws = scratch();
    ws.edit('data', (t) => {
      t.Resources.AttackIgw = { Type: 'AWS::EC2::InternetGateway', Properties: {} };
      t.Resources.AttackIgwAttachment = {
        Type: 'AWS::EC2::VPCGatewayAttachment',
        Properties: { VpcId: { Ref: 'NetworkVpc7FB7348F' }, InternetGatewayId: { Ref: 'AttackIgw' } },
      };
      t.Resources.AttackDefaultRoute = {
        Type: 'AWS::EC2::Route',
        Properties: {
          RouteTableId: { Ref: 'NetworkVpcisolatedSubnet1RouteTable412ED87A' },
          DestinationCidrBlock: '0.0.0.0/0',
          GatewayId: { Ref: 'AttackIgw' },
        },
      };
    });
    expect(exitCodeOf(await ws.run())).toBe(EXIT.FINDINGS);
  });
});
