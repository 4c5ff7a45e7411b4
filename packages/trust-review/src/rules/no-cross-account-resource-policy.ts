import { accountOfArn, principalsOf } from '@airlock/cloud-assembly';
import { allowStatements, type TrustRule } from './finding.js';

/** I3: no bucket, key, table, queue, topic, log or function policy grants another account anything. */
export const noCrossAccountResourcePolicy: TrustRule = (surface) =>
  surface.resourcePolicies
    .filter((p) => !p.isEndpointPolicy)
    .flatMap((p) =>
      allowStatements(p.policy.Statement).flatMap((s) =>
        principalsOf(s)
          .filter((pr) => pr.kind === 'AWS' && pr.value !== '*' && (accountOfArn(pr.value) ?? pr.value) !== p.accountId)
          .map((pr) => ({
            rule: 'no-cross-account-resource-policy',
            account: p.account,
            subject: `${p.type} ${p.logicalId}`,
            message: `grants ${pr.value} (another account)`,
          })),
      ),
    );
