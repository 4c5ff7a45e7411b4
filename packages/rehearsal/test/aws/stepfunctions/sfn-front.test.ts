import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  analysisExecutionArn,
  analysisStateMachineArn,
  dataCanaryRoleArn,
  orchestratorCanaryRoleArn,
} from '@airlock/contracts';
import { loadEnvironment } from '@airlock/shared/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close } from '../../../src/aws/http-server.js';
import { startSfnFront } from '../../../src/aws/stepfunctions/sfn-front.js';
import { Authorizer } from '../../../src/iam/authorizer.js';
import { CredentialRegistry } from '../../../src/iam/credentials.js';
import { loadArtifacts } from '../../../src/run/artifacts.js';

// Reads the apps' synthesized cloud assemblies (the test target depends on their `synth`): the canary roles' own policies.
const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const { env, surface } = loadArtifacts(loadEnvironment('example'), root);

describe("the rehearsal's Step Functions front authorizes each call as the caller's role", () => {
  const registry = new CredentialRegistry();
  const started: string[] = [];
  let front: Awaited<ReturnType<typeof startSfnFront>>;
  const as = (roleArn: string) => {
    const { accessKeyId, secretAccessKey } = registry.forRole(roleArn);
    return new SFNClient({ region: env.region, endpoint: front.url, credentials: { accessKeyId, secretAccessKey } });
  };
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => 'allowed',
      (error: Error) => error.name,
    );

  beforeAll(async () => {
    front = await startSfnFront(analysisStateMachineArn(env), registry, new Authorizer(surface), (name) => {
      started.push(name);
      return Promise.resolve({ status: 'SUCCEEDED', states: [], transitions: 0 });
    });
  });
  afterAll(() => close(front.server));

  it('listens on 127.0.0.1 only', () => {
    expect((front.server.address() as AddressInfo).address).toBe('127.0.0.1');
    expect(new URL(front.url).hostname).toBe('127.0.0.1');
  });

  it('lets the orchestrator canary role start a run and follow a canary-* execution', async () => {
    const canary = as(orchestratorCanaryRoleArn(env));
    const { executionArn } = await canary.send(
      new StartExecutionCommand({ stateMachineArn: analysisStateMachineArn(env), name: 'canary-1', input: '{}' }),
    );
    expect(executionArn).toBe(analysisExecutionArn(env, 'canary-1'));
    expect((await canary.send(new DescribeExecutionCommand({ executionArn }))).name).toBe('canary-1');
  });

  it("refuses the orchestrator canary role a customer's execution, even one it started itself", async () => {
    const canary = as(orchestratorCanaryRoleArn(env));
    // IAM has no condition key for the execution's name: the start is allowed, following it is not.
    await canary.send(
      new StartExecutionCommand({ stateMachineArn: analysisStateMachineArn(env), name: 'run-1', input: '{}' }),
    );
    const executionArn = analysisExecutionArn(env, 'run-1');
    expect(await refusal(canary.send(new DescribeExecutionCommand({ executionArn })))).toBe('AccessDeniedException');
    expect(await refusal(canary.send(new GetExecutionHistoryCommand({ executionArn })))).toBe('AccessDeniedException');
  });

  it('refuses the data canary role any call, and a caller it does not know', async () => {
    const start = new StartExecutionCommand({
      stateMachineArn: analysisStateMachineArn(env),
      name: 'canary-data',
      input: '{}',
    });
    expect(await refusal(as(dataCanaryRoleArn(env)).send(start))).toBe('AccessDeniedException');
    const stranger = new SFNClient({
      region: env.region,
      endpoint: front.url,
      credentials: { accessKeyId: 'ASIAUNKNOWN', secretAccessKey: 'x' },
    });
    expect(await refusal(stranger.send(start))).toBe('UnrecognizedClientException');
    expect(started).not.toContain('canary-data');
  });
});
