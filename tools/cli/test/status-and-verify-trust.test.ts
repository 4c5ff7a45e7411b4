import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { statusCommand } from '../src/status-command.js';
import { verifyTrustCommand } from '../src/verify-trust-command.js';
import { cliFixture, env } from './cli-fixture.js';

const denied = () => Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' });

describe('airlock status', () => {
  it('describes the execution named by the run ID and maps its status to an exit code', async () => {
    const { deps, mocks, lines } = cliFixture();
    mocks.sfn
      .on(DescribeExecutionCommand)
      .resolves({ status: 'FAILED', error: 'Airlock.PrepareFailed', cause: 'rejected' });
    expect(await statusCommand(env, 'run-9', deps)).toBe(1);
    expect(mocks.sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input.executionArn).toBe(
      'arn:aws:states:eu-west-1:111111111111:execution:airlock-example-analysis:run-9',
    );
    expect(lines).toEqual(['run run-9: FAILED', '  Airlock.PrepareFailed: rejected']);
    mocks.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    expect(await statusCommand(env, 'run-9', deps)).toBe(3);
  });
});

describe('airlock verify-trust', () => {
  it('passes when each target role refuses a missing and a wrong ExternalId', async () => {
    const { deps, mocks, lines } = cliFixture();
    mocks.sts.on(AssumeRoleCommand).rejects(denied());
    expect(await verifyTrustCommand(env, deps)).toBe(0);
    const calls = mocks.sts
      .commandCalls(AssumeRoleCommand)
      .map((c) => [c.args[0].input.RoleArn, c.args[0].input.ExternalId]);
    expect(calls).toEqual([
      ['arn:aws:iam::222222222222:role/airlock-example-sandbox-launcher', undefined],
      ['arn:aws:iam::222222222222:role/airlock-example-sandbox-launcher', 'airlock-verify-trust-wrong-id'],
      ['arn:aws:iam::333333333333:role/airlock-example-data-invoker', undefined],
      ['arn:aws:iam::333333333333:role/airlock-example-data-invoker', 'airlock-verify-trust-wrong-id'],
    ]);
    expect(lines.every((l) => l.startsWith('✓'))).toBe(true);
  });

  it('fails when any role can be assumed the wrong way', async () => {
    const { deps, mocks, lines } = cliFixture();
    mocks.sts.on(AssumeRoleCommand).rejects(denied());
    mocks.sts
      .on(AssumeRoleCommand, {
        RoleArn: 'arn:aws:iam::333333333333:role/airlock-example-data-invoker',
        ExternalId: undefined,
      })
      .resolves({});
    expect(await verifyTrustCommand(env, deps)).toBe(1);
    expect(lines).toContain(
      '✗ arn:aws:iam::333333333333:role/airlock-example-data-invoker could be assumed with no ExternalId: its trust policy is too open',
    );
  });

  it('does not mistake another error for a denial', async () => {
    const { deps, mocks } = cliFixture();
    mocks.sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('network down'), { name: 'TimeoutError' }));
    await expect(verifyTrustCommand(env, deps)).rejects.toThrow('network down');
  });
});
