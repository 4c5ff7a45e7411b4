import type { PolicyDocument } from '@airlock/cloud-assembly';

/**
 * The identity policy of a hypothetical principal allowed everything by its own account (an administrator, an
 * attacker's own keys, a role given `*` by mistake). Never deployed: the matrices give it to a caller so that only
 * the policy under test (a trust, an endpoint, a guardrail) can refuse the request.
 */
export const ALLOW_EVERYTHING: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** An account outside the three: where the matrices put an attacker's principals and resources. */
export const FOREIGN_ACCOUNT = '999999999999';
