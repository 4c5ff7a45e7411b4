import { asList } from '@airlock/cloud-assembly';
import { defineRule, verdictsFor } from './define-rule.js';

/** CDK's custom-resource providers run at deploy, on CDK's own handler, and never see run data. */
const isCdkProvider = (properties: Readonly<Record<string, unknown>>) =>
  properties.Handler === '__entrypoint__.handler' && String(properties.Role).includes('CustomResourceProviderRole');

export const dataFunctionsInVpc = defineRule({
  id: 'data-functions-in-vpc',
  invariant: 'I5',
  explanation:
    'Every function of the data account (they parse hostile archives and hold run data) runs in subnets of its own ' +
    "template's VPC, whose only ways out are the endpoints: a function taken out of the VPC reaches the internet " +
    'with its role, and no policy changes.',
  check: (surface) => {
    const subnets = new Set(
      surface.networkResources
        .filter((r) => r.account === 'data' && r.type === 'AWS::EC2::Subnet')
        .map((r) => `${r.stack}-${r.logicalId}`),
    );
    return surface.otherResources
      .filter((r) => r.account === 'data' && r.type === 'AWS::Lambda::Function' && !isCdkProvider(r.properties))
      .flatMap((f) => {
        const vpc = f.properties.VpcConfig as { SubnetIds?: unknown; SecurityGroupIds?: unknown } | undefined;
        const placed = asList(vpc?.SubnetIds as string[] | undefined).map(String);
        return verdictsFor(
          { account: 'data', subject: `function ${f.logicalId}` },
          placed.length === 0 || asList(vpc?.SecurityGroupIds as string[] | undefined).length === 0
            ? [
                'runs outside the VPC (no VpcConfig subnets and security groups): it reaches the internet. Fix: place it in the isolated subnets',
              ]
            : placed
                .filter((s) => !subnets.has(s))
                .map((s) => `runs in subnet ${s}, not one of the data VPC's. Fix: place it in the isolated subnets`),
        );
      });
  },
});
