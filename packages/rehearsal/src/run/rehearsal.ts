import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { TrustSurface } from '@airlock/cloud-assembly';
import {
  resultReportKey,
  runRecordKey,
  SUBMISSION_RECORD_CONDITION,
  submissionRecordItem,
  SUBMISSION_LIMITS,
  uploadObjectKey,
} from '@airlock/contracts';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { loadArtifacts, type Artifacts } from './artifacts.js';
import { Authorizer } from '../iam/authorizer.js';
import { CredentialRegistry } from '../iam/credentials.js';
import { startDynamoDbFront } from '../aws/dynamodb/dynamodb-front.js';
import { ExpressEngine } from '../aws/stepfunctions/express-engine.js';
import { close } from '../aws/http-server.js';
import { LambdaHost } from '../aws/lambda/lambda-host.js';
import { startLocalSts } from '../aws/sts/local-sts.js';
import { startS3Front, type ObjectAccess } from '../aws/s3/s3-front.js';
import { s3PoliciesOf } from '../aws/s3/s3-policies.js';
import { runCost, type RunCost, type RunUsage } from '../cost/run-cost.js';
import { runUsage } from '../cost/run-usage.js';
import { ecsIntegrations } from '../aws/ecs/ecs-integrations.js';
import { LocalEcs, type KernelConfinement } from '../aws/ecs/local-ecs.js';
import type { ContainerSpec } from '../aws/ecs/task-definition.js';
import { EventBus, executionStatusChange, objectCreated } from '../aws/events/event-bus.js';
import { s3Integrations } from '../aws/s3/s3-integrations.js';
import { dynamoDbIntegrations } from '../aws/dynamodb/dynamodb-integrations.js';
import type { ServiceHandler } from '../aws/stepfunctions/sandbox-workflow.js';
import { SandboxWorkflow, type WorkflowExecution } from '../aws/stepfunctions/sandbox-workflow.js';
import { StandardEngine, type StateTiming } from '../aws/stepfunctions/standard-engine.js';
import { VARIABLE } from '@airlock/contracts';
import { confinementOrFail, type ConfinementAvailability } from '../confinement/index.js';

/** Ways the rehearsal's sandbox can misbehave on purpose (see run/faults.ts). */
export interface SandboxHooks {
  /** Called before each RunTask attempt of a launch; throwing makes the attempt fail with that error. */
  readonly beforeRunTask?: (attempt: number) => void;
  /** Runs a container's program instead of the runner bundle (a compromised container); undefined keeps the runner. */
  readonly container?: (container: ContainerSpec) => { program: string; args: readonly string[] } | undefined;
}

/** The sandbox account as the rehearsal runs it. */
export interface Sandbox {
  readonly ecs: LocalEcs;
  readonly launch: SandboxWorkflow;
  readonly reaper: SandboxWorkflow;
  readonly events: EventBus;
  /** Called with each new launch execution (a fault may act on a run in flight). */
  readonly launchObservers: Array<(execution: WorkflowExecution) => void>;
  /** Resolves when every event delivered so far has been handled and every task told to stop has stopped. */
  settled(): Promise<void>;
}

export interface RehearsalOptions {
  readonly root: string;
  readonly env: Artifacts['env'];
  readonly hooks?: SandboxHooks;
  /** Edits the trust surface before anything is authorized (a broken-trust fault). */
  readonly editSurface?: (surface: TrustSurface) => TrustSurface;
  /** Length of the session tokens the local STS mints (default SESSION_TOKEN_LENGTH, 2.6 KB). */
  readonly sessionTokenLength?: number;
  /** Extra environment for the prepare function (a shorter deadline for the hang fault). */
  readonly prepareEnvironment?: Readonly<Record<string, string>>;
  /** The scratch volume's size per task (default SCRATCH_BYTES). */
  readonly scratchBytes?: number;
  /**
   * Runs the task's containers without the kernel's confinement, as on a machine that cannot confine: a defence
   * removed on purpose, so a test can watch the canary's probe report it. @default - confined where the kernel can
   */
  readonly unconfined?: boolean;
}

/** Each task's scratch volume: RAM-backed, so far smaller than Fargate's 20 GiB of ephemeral storage. */
export const SCRATCH_BYTES = 256 * 1024 * 1024;
/** A container still running after this long is killed; the launch workflow's own timeout comes first. */
const CONTAINER_WALL_CLOCK_MS = 15 * 60_000;

export interface RunOutcome {
  readonly runId: string;
  readonly submissionId: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly cause?: string;
  readonly resultKey?: string;
  readonly result?: unknown;
  readonly record?: RunRecordView;
  readonly states: readonly StateTiming[];
  /** State transitions of the orchestrator's and the launch workflow's executions for this run. */
  readonly transitions: { readonly analysis: number; readonly launch: number };
  /** What the rehearsal counted of the run's billable usage, and its cost on AWS at list prices (cost/). */
  readonly usage: RunUsage;
  readonly cost: RunCost;
  readonly ms: number;
  /** Every object key in the bucket just before the run started (for the I8 check). */
  readonly keysBefore: readonly string[];
}

/** What the rehearsal shows of a run record; the tails are the submission's own, untrusted output. */
export interface RunRecordView {
  readonly status?: string;
  readonly reason?: string;
  readonly stdoutTail?: string;
  readonly stderrTail?: string;
}

/** Fargate takes minutes to place and start a task; the rehearsal starts it at once, so its margin is short. */
export const LOCAL_TASK_START_SECONDS = 5;

/**
 * The prepare function's environment for a run timeout of `seconds` (`npm start -- --run-timeout`): the same
 * `runWindow` as ever, with a task-start margin that also covers the upload reserve the runner keeps back from the
 * deadline, so the submission itself gets about `seconds` to run.
 */
export function runTimeoutEnvironment(seconds: number): Readonly<Record<string, string>> {
  return {
    RUN_TIMEOUT_SECONDS: String(seconds),
    TASK_START_MARGIN_SECONDS: String(LOCAL_TASK_START_SECONDS + SUBMISSION_LIMITS.uploadReserveSeconds),
  };
}

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let sequence = 0;

/** Everything one rehearsal needs, started once and reused for every run (warm, like Lambda). */
export class Rehearsal {
  private constructor(
    readonly artifacts: Artifacts,
    readonly authorizer: Authorizer,
    readonly accesses: ObjectAccess[],
    /** Direct clients of the local stores: the operator's out-of-band path, and the tests' view. */
    readonly s3: S3Client,
    readonly dynamodb: DynamoDBClient,
    readonly sandbox: Sandbox,
    /** Whether the task's containers run confined by the kernel on this machine, and if not why. */
    readonly confinement: ConfinementAvailability,
    /** Every port the rehearsal listens on at the host's loopback, by what listens (the attack suite aims at them). */
    readonly hostPorts: Readonly<Record<string, number>>,
    /** S3 as reached from anywhere but the sandbox (the trusted functions, the internet), and through its endpoint. */
    readonly s3Urls: { readonly elsewhere: string; readonly throughSandboxEndpoint: string },
    /** The data account's event bus: every object created starts the late-object sweeper. */
    readonly dataEvents: EventBus,
    private readonly standard: StandardEngine,
    private readonly express: ExpressEngine,
    private readonly dynamoCalls: ReadonlyArray<{ readonly operation: string; readonly partitionKey: string }>,
    private readonly hosts: LambdaHost[],
    private readonly stop: () => Promise<void>,
    /** Every access key the fronts accept, by role (the canary is given its roles' keys through it). */
    readonly credentials: CredentialRegistry,
  ) {}

  static async start(options: RehearsalOptions): Promise<Rehearsal> {
    // Throws when AIRLOCK_REQUIRE_CONFINEMENT=1 and this machine cannot confine: CI never falls back.
    const confinement: ConfinementAvailability = options.unconfined
      ? { mode: 'none', reason: 'confinement removed on purpose (RehearsalOptions.unconfined)' }
      : confinementOrFail();
    const loaded = loadArtifacts(options.env, options.root);
    const artifacts = options.editSurface ? { ...loaded, surface: options.editSurface(loaded.surface) } : loaded;
    const { env } = artifacts;
    const s3Directory = mkdtempSync(join(tmpdir(), 'airlock-rehearsal-s3-'));
    const s3rver = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: s3Directory,
      configureBuckets: [{ name: artifacts.bucket, configs: [] }],
      // Buckets by path only: the front forwards exactly the bucket it authorized, never one named by a Host.
      vhostBuckets: false,
    });
    const s3Port = ((await s3rver.run()) as AddressInfo).port;
    // The S3 front reaches s3rver on a Unix socket (S3Upstream says why); the port stays for the rehearsal's own client.
    const s3SocketDir = mkdtempSync(join(tmpdir(), 'airlock-rehearsal-s3-socket-'));
    const s3SocketPath = join(s3SocketDir, 's3rver.sock');
    const s3Socket = createServer(s3rver.callback());
    await new Promise<void>((resolve) => s3Socket.listen(s3SocketPath, resolve));
    const dynamo = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', () => resolve()));
    const dynamoPort = (dynamo.address() as AddressInfo).port;
    const s3 = new S3Client({
      region: env.region,
      credentials,
      endpoint: `http://127.0.0.1:${s3Port}`,
      forcePathStyle: true,
    });
    const dynamodb = new DynamoDBClient({
      region: env.region,
      credentials,
      endpoint: `http://127.0.0.1:${dynamoPort}`,
    });
    await dynamodb.send(
      new CreateTableCommand({
        TableName: artifacts.table,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

    const registry = new CredentialRegistry(options.sessionTokenLength);
    const authorizer = new Authorizer(artifacts.surface);
    const sts = await startLocalSts(registry, authorizer);
    const bucketArn = (bucket: string) => `arn:${env.partition}:s3:::${bucket}`;
    const tableArn = (table: string) =>
      `arn:${env.partition}:dynamodb:${env.region}:${env.accounts.data}:table/${table}`;
    const dataEvents = startDataEvents(artifacts, authorizer, {
      ...s3Integrations(s3, bucketArn),
      ...dynamoDbIntegrations(dynamodb, tableArn),
    });
    const s3Front = await startS3Front(
      { socketPath: s3SocketPath },
      bucketArn,
      env.region,
      registry,
      authorizer,
      s3PoliciesOf(artifacts.surface, confinement.mode === 'none', {
        name: artifacts.bucket,
        ...(artifacts.bucketKey ? { key: artifacts.bucketKey } : {}),
      }),
      (bucket, key) => dataEvents.announce(objectCreated(bucket, key, env.accounts.data, env.region)),
    );
    const dynamoFront = await startDynamoDbFront(`http://127.0.0.1:${dynamoPort}`, tableArn, registry, authorizer);

    const hosts = new Map<string, LambdaHost>();
    for (const [arn, fn] of artifacts.functions) {
      const identity = registry.forRole(fn.roleArn);
      hosts.set(
        arn,
        new LambdaHost(fn, {
          AWS_REGION: env.region,
          AWS_ACCESS_KEY_ID: identity.accessKeyId,
          AWS_SECRET_ACCESS_KEY: identity.secretAccessKey,
          AWS_ENDPOINT_URL_S3: s3Front.url,
          AWS_ENDPOINT_URL_DYNAMODB: dynamoFront.url,
          AWS_ENDPOINT_URL_STS: sts.url,
          AIRLOCK_S3_FORCE_PATH_STYLE: 'true',
          TASK_START_MARGIN_SECONDS: String(LOCAL_TASK_START_SECONDS),
          ...(fn.environment.SIGNER_ROLE_ARN ? options.prepareEnvironment : {}),
        }),
      );
    }
    const express = new ExpressEngine(artifacts, authorizer, hosts);
    const frontPort = Number(new URL(s3Front.url).port);
    const sandbox = startSandbox(artifacts, authorizer, `${s3Front.url}/${artifacts.bucket}/`, options.hooks ?? {}, {
      confined: confinement.mode !== 'none',
      // The task's loopback listens on the front's own port, so the presigned URLs (and the runner's check of their
      // host against the data URL prefix) read the same inside the task as outside; what arrives there is served by
      // the front's endpoint server, as a request from the task network reaches S3 only through its gateway endpoint.
      kernel: {
        mode: confinement.mode === 'user' ? 'user' : 'root',
        scratchBytes: options.scratchBytes ?? SCRATCH_BYTES,
        forward: { listenPort: frontPort, front: s3Front.endpoint.server },
        wallClockMs: CONTAINER_WALL_CLOCK_MS,
      },
    });
    const standard = new StandardEngine(artifacts, authorizer, express, sandbox.launch);
    const stop = async () => {
      await sandbox.settled();
      for (const task of sandbox.ecs.running()) task.stop('the rehearsal is closing');
      await Promise.all(sandbox.ecs.running().map((t) => t.stopped));
      sandbox.ecs.close();
      await Promise.all([...hosts.values()].map((h) => h.terminate()));
      await Promise.all([sts.server, s3Front.server, s3Front.endpoint.server, dynamoFront.server].map(close));
      await close(s3Socket);
      await s3rver.close();
      rmSync(s3Directory, { recursive: true, force: true });
      rmSync(s3SocketDir, { recursive: true, force: true });
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    };
    return new Rehearsal(
      artifacts,
      authorizer,
      s3Front.accesses,
      s3,
      dynamodb,
      sandbox,
      confinement,
      {
        's3rver (raw S3)': s3Port,
        'dynalite (raw DynamoDB)': dynamoPort,
        'STS front': Number(new URL(sts.url).port),
        'DynamoDB front': Number(new URL(dynamoFront.url).port),
        'S3 front': frontPort,
        "S3 front (the sandbox's endpoint)": Number(new URL(s3Front.endpoint.url).port),
      },
      { elsewhere: s3Front.url, throughSandboxEndpoint: s3Front.endpoint.url },
      dataEvents.bus,
      standard,
      express,
      dynamoFront.calls,
      [...hosts.values()],
      stop,
      registry,
    );
  }

  /** Uploads a submission the way an operator does (out of band, into `uploads/`) and runs it. */
  async submit(
    archive: Buffer,
    options: {
      onState?: (t: StateTiming) => void;
      beforeRun?: (ids: { runId: string; submissionId: string }) => Promise<void>;
      /** Called when this run's launch execution has started. */
      duringLaunch?: (execution: WorkflowExecution) => void;
      captureKeys?: boolean;
    } = {},
  ): Promise<RunOutcome> {
    const n = ++sequence;
    const submissionId = `sub-${process.pid}-${n}`;
    const runId = `run-${process.pid}-${n}-${Date.now().toString(36)}`;
    // As the operator CLI does: the record first (it owns the ID), then the archive.
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.artifacts.table,
        Item: submissionRecordItem({
          submissionId,
          sha256: createHash('sha256').update(archive).digest('hex'),
          bytes: archive.length,
          submitter: 'rehearsal',
          receivedAt: new Date(),
          retentionDays: this.artifacts.env.retention.submissionRecordDays,
        }),
        ConditionExpression: SUBMISSION_RECORD_CONDITION,
      }),
    );
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.artifacts.bucket,
        Key: uploadObjectKey(submissionId),
        Body: archive,
        IfNoneMatch: '*',
      }),
    );
    await options.beforeRun?.({ runId, submissionId });
    const keysBefore = options.captureKeys === false ? [] : await this.keys();
    const started = Date.now();
    const { duringLaunch } = options;
    const observer = (execution: WorkflowExecution) => {
      if (execution.name === runId) duringLaunch?.(execution);
    };
    this.sandbox.launchObservers.push(observer);
    const result = await this.standard.run(runId, { submissionId }, options.onState).finally(() => {
      this.sandbox.launchObservers.splice(this.sandbox.launchObservers.indexOf(observer), 1);
    });
    const ms = Date.now() - started;
    await this.sandbox.settled();
    const transitions = {
      analysis: result.transitions,
      launch: this.sandbox.launch.all().find((e) => e.name === runId)?.transitions ?? 0,
    };
    const record = await this.record(runId);
    const usage = runUsage({
      runId,
      submissionId,
      transitions,
      express: this.express.usage,
      task: this.sandbox.ecs
        .all()
        .find((t) => t.startedBy === runId)
        ?.billing(),
      accesses: this.accesses,
      dynamoCalls: this.dynamoCalls,
    });
    const cost = runCost(usage);
    if (result.status === 'SUCCEEDED') {
      const key = resultReportKey(runId);
      const report = await this.s3.send(new GetObjectCommand({ Bucket: this.artifacts.bucket, Key: key }));
      return {
        runId,
        submissionId,
        status: 'SUCCEEDED',
        resultKey: key,
        result: JSON.parse((await report.Body?.transformToString()) ?? 'null'),
        record,
        states: result.states,
        transitions,
        usage,
        cost,
        ms,
        keysBefore,
      };
    }
    return {
      runId,
      submissionId,
      status: 'FAILED',
      ...(result.error ? { error: result.error } : {}),
      ...(result.cause ? { cause: result.cause } : {}),
      record,
      states: result.states,
      transitions,
      usage,
      cost,
      ms,
      keysBefore,
    };
  }

  async record(runId: string): Promise<RunRecordView> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.artifacts.table, Key: { pk: { S: runRecordKey(runId) } } }),
    );
    return {
      ...(Item?.status?.S ? { status: Item.status.S } : {}),
      ...(Item?.reason?.S ? { reason: Item.reason.S } : {}),
      ...(Item?.stdoutTail?.S ? { stdoutTail: Item.stdoutTail.S } : {}),
      ...(Item?.stderrTail?.S ? { stderrTail: Item.stderrTail.S } : {}),
    };
  }

  async keys(prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.artifacts.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token);
    return keys.sort();
  }

  /** Runs the analysis workflow as a StartExecution would (the canary's Step Functions front), reporting each state. */
  runAnalysis(runId: string, input: unknown, onState: (t: StateTiming) => void) {
    return this.standard.run(runId, input, onState);
  }

  /** Starts the analysis again for an already uploaded submission, under another run ID (a replayed start). */
  async runUploaded(runId: string, submissionId: string): Promise<string> {
    return (await this.standard.run(runId, { submissionId })).status;
  }

  deleteObject(key: string) {
    return this.s3.send(new DeleteObjectCommand({ Bucket: this.artifacts.bucket, Key: key }));
  }

  /** The functions' own logs (what CloudWatch would hold), for debugging a rehearsal. */
  functionLogs(): string {
    return this.hosts.flatMap((h) => h.logs).join('');
  }

  private closing: Promise<void> | undefined;

  /** Stops every task, the workers and the servers, and removes the rehearsal's files; safe to call again. */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }
}

/**
 * The data account's event bus: its rules (Object Created under `runs/`) start their workflows (the late-object
 * sweeper) with the SDK integrations on the local stores. A delivery that cannot be made (e.g. the rule's role may
 * not start its target) is recorded, never thrown at the writer: S3 has stored the object either way.
 */
function startDataEvents(
  artifacts: Artifacts,
  authorizer: Authorizer,
  integrations: Readonly<Record<string, ServiceHandler>>,
): { bus: EventBus; announce: (event: Parameters<EventBus['put']>[0]) => Promise<void> } {
  const workflows = new Map(
    artifacts.dataRuleTargets.map((w) => [
      w.arn,
      new SandboxWorkflow(w.arn, w.roleArn, w.definition, authorizer, integrations),
    ]),
  );
  const bus = new EventBus(artifacts.dataRules, workflows, authorizer);
  const announce = (event: Parameters<EventBus['put']>[0]) =>
    bus.put(event).then(
      () => undefined,
      (error: unknown) => void bus.failures.push(`${String(event.id)}: ${(error as Error).message}`),
    );
  return { bus, announce };
}

/**
 * The sandbox account: its ECS cluster running the synthesized task definition, the launch workflow and the reaper
 * from the template, and the account's event bus with its rules. The data bucket's URL prefix in the task
 * definition is pointed at the local S3 front, as DNS would point the real name at the endpoint.
 */
function startSandbox(
  artifacts: Artifacts,
  authorizer: Authorizer,
  localDataUrlPrefix: string,
  hooks: SandboxHooks,
  confinement: { confined: boolean; kernel: KernelConfinement },
): Sandbox {
  const { env } = artifacts;
  const realPrefix = `https://${artifacts.bucket}.s3.${env.region}.amazonaws.com/`;
  const ecs = new LocalEcs(artifacts.task, {
    program: (c) => hooks.container?.(c) ?? { program: artifacts.task.runner, args: c.command },
    localEnvironment: (fixed) => ({
      ...fixed,
      ...(fixed[VARIABLE.DATA_URL_PREFIX] === realPrefix ? { [VARIABLE.DATA_URL_PREFIX]: localDataUrlPrefix } : {}),
    }),
    ...(confinement.confined ? { confinement: confinement.kernel } : {}),
  });
  const integrations = ecsIntegrations(ecs, hooks.beforeRunTask ? { beforeRunTask: hooks.beforeRunTask } : {});
  const { reaper: r, launch: l } = artifacts;
  const reaper = new SandboxWorkflow(r.arn, r.roleArn, r.definition, authorizer, integrations);
  const events = new EventBus(artifacts.rules, new Map([[reaper.arn, reaper]]), authorizer);
  const pending: Array<Promise<unknown>> = [];
  const launch = new SandboxWorkflow(l.arn, l.roleArn, l.definition, authorizer, integrations, {
    onStart: (execution) => sandbox.launchObservers.forEach((observe) => observe(execution)),
    onEnd: (execution) => pending.push(events.put(executionStatusChange(execution, env.accounts.sandbox, env.region))),
  });
  const sandbox: Sandbox = {
    ecs,
    launch,
    reaper,
    events,
    launchObservers: [],
    settled: async () => {
      while (pending.length > 0) await Promise.all(pending.splice(0));
      // ECS stops a task after StopTask (SIGTERM, then SIGKILL after the stop timeout); a task nobody stopped stays.
      await Promise.all(
        ecs
          .running()
          .filter((t) => t.describe().DesiredStatus === 'STOPPED')
          .map((t) => t.stopped),
      );
    },
  };
  return sandbox;
}
