import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import {
  crossAccountTrust,
  parseEnvironment,
  stepFunctionsServiceTrust,
  type AirlockEnvironment,
} from '../src/index.js';
import { EXAMPLE_ORCHESTRATOR_ROLE_TRUST, EXAMPLE_TARGET_ROLE_TRUST } from '../src/testing/index.js';
import { exampleEnv, exampleFile } from './example-environment.js';

/** The trust policy CloudFormation would receive for a role assumed by `principal`. */
function trustPolicyJson(principal: iam.IPrincipal): unknown {
  const stack = new Stack(new App(), 'Trust');
  const role = new iam.Role(stack, 'Role', { assumedBy: principal });
  return stack.resolve(role.assumeRolePolicy?.toJSON());
}

describe('crossAccountTrust', () => {
  it('admits only the orchestrator execution role, with the analysis state machine ARN as ExternalId', () => {
    expect(trustPolicyJson(crossAccountTrust(exampleEnv))).toEqual(EXAMPLE_TARGET_ROLE_TRUST);
  });
});

describe('stepFunctionsServiceTrust', () => {
  it('admits Step Functions only on behalf of the analysis state machine in the orchestrator account', () => {
    expect(trustPolicyJson(stepFunctionsServiceTrust(exampleEnv))).toEqual(EXAMPLE_ORCHESTRATOR_ROLE_TRUST);
  });
});

describe('no trust variant can pass on a missing key or a pattern', () => {
  const variants: AirlockEnvironment[] = [
    exampleEnv,
    parseEnvironment('prod', { ...exampleFile, prefix: 'acme-scan', region: 'us-east-1' }, 'prod.json'),
    parseEnvironment('cn', { ...exampleFile, region: 'cn-northwest-1' }, 'cn.json'),
    parseEnvironment('gov', { ...exampleFile, region: 'us-gov-west-1' }, 'gov.json'),
  ];
  it.each(
    variants.flatMap(
      (env) =>
        [
          [`${env.environment} cross-account`, crossAccountTrust(env)],
          [`${env.environment} service`, stepFunctionsServiceTrust(env)],
        ] as const,
    ),
  )('%s trust has no IfExists, Like operator or wildcard', (_name, principal) => {
    const json = JSON.stringify(trustPolicyJson(principal));
    expect(json).not.toMatch(/IfExists|Like|ForAllValues/);
    expect(json).not.toContain('*');
    expect(json).toMatch(/"StringEquals"/);
    expect(json).toMatch(/"ArnEquals"/);
  });
});
