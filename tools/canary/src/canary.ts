import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  analysisStateMachineArn,
  CANARY_ID_PREFIX,
  dataBucketName,
  probeFindingsSchema,
  resultReportKey,
  runPrefix,
  runRecordKey,
  runsTableName,
} from '@airlock/contracts';
import { followExecution, requireAccount, stateExitedLine, uploadSubmission } from '@airlock/operator';
import type { AirlockEnvironment } from '@airlock/shared/environment';
import * as v from 'valibot';
import { fail, pass, notChecked, oneLine, type CheckLine } from './check-line.js';
import type { CanaryDeps } from './canary-deps.js';
import { judgeProbe } from './judge-probe.js';
import { notDeployed } from './not-deployed.js';
import { exampleArchive, probeArchive } from './submission-archives.js';

interface CanaryRun {
  readonly id: string;
  readonly status: string;
  readonly reason?: string;
  readonly report?: { readonly result?: unknown };
}

/**
 * The canary: the example submission must run to SUCCEEDED, the probe must find nothing the design forbids, and
 * neither run may leave objects under `runs/`. Every step is a line of the report; resolves to the lines.
 */
export async function runCanary(env: AirlockEnvironment, deps: CanaryDeps): Promise<CheckLine[]> {
  await requireAccount(
    deps.orchestrator.sts,
    env.accounts.orchestrator,
    `orchestrator account of "${env.environment}"`,
  );
  const submitter = await requireAccount(deps.data.sts, env.accounts.data, `data account of "${env.environment}"`);
  const lines: CheckLine[] = [];

  const example = await canaryRun(env, deps, 'example', await exampleArchive(), submitter);
  lines.push(
    example.status === 'SUCCEEDED'
      ? pass('example run', `run ${example.id} SUCCEEDED`)
      : fail('example run', `run ${example.id} ${example.status}: ${example.reason ?? 'no reason recorded'}`),
  );

  const probe = await canaryRun(env, deps, 'probe', await probeArchive(deps.probe), submitter);
  const findings = v.safeParse(probeFindingsSchema, probe.report?.result);
  if (probe.status !== 'SUCCEEDED')
    lines.push(fail('probe run', `run ${probe.id} ${probe.status}: ${probe.reason ?? 'no reason recorded'}`));
  else if (!findings.success)
    lines.push(fail('probe run', `run ${probe.id}'s report holds no probe findings (${findings.issues[0]?.message})`));
  else lines.push(pass('probe run', `run ${probe.id} SUCCEEDED`), ...judgeProbe(findings.output, deps.probe.mode));
  if (probe.status !== 'SUCCEEDED' || !findings.success)
    lines.push(notChecked('probe: findings', 'the probe run reported none'));

  lines.push(
    await leftUnderRuns(env, deps, 'example run', example.id),
    await leftUnderRuns(env, deps, 'probe run', probe.id),
  );
  return lines;
}

async function canaryRun(
  env: AirlockEnvironment,
  deps: CanaryDeps,
  what: string,
  archive: Buffer,
  submitter: string,
): Promise<CanaryRun> {
  const id = `${CANARY_ID_PREFIX}${deps.newId()}`;
  try {
    await uploadSubmission(
      deps.data,
      {
        bucket: dataBucketName(env),
        table: runsTableName(env),
        recordRetentionDays: env.retention.submissionRecordDays,
      },
      id,
      archive,
      submitter,
    );
    const started = await deps.orchestrator.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: analysisStateMachineArn(env),
        name: id,
        input: JSON.stringify({ submissionId: id }),
      }),
    );
    deps.out(`started the ${what} run ${id}`);
    const end = await followExecution(deps.orchestrator.sfn, started.executionArn ?? '', {
      intervalMs: deps.pollIntervalMs,
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      includedData: 'METADATA_ONLY',
      onStateExited: (name, elapsedMs) => deps.out(stateExitedLine(name, elapsedMs)),
    });
    const record = await deps.data.dynamodb.send(
      new GetItemCommand({
        TableName: runsTableName(env),
        Key: { pk: { S: runRecordKey(id) } },
        ProjectionExpression: 'pk, #status, reason',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    const reason = record.Item?.reason?.S;
    // The reason can quote the submission (an archive entry's name): shown, never acted on by the terminal.
    deps.out(oneLine(`the ${what} run ${id} ${end.status}${reason ? `: ${reason}` : ''}`));
    if (end.status !== 'SUCCEEDED') return { id, status: end.status, ...(reason ? { reason } : {}) };
    const report = await deps.data.s3.send(
      new GetObjectCommand({ Bucket: dataBucketName(env), Key: resultReportKey(id) }),
    );
    return { id, status: end.status, report: JSON.parse((await report.Body?.transformToString()) ?? '{}') as object };
  } catch (error) {
    throw notDeployed(env, error) ?? error;
  }
}

/** Purge must have removed everything under the run's prefix before the execution ended. */
async function leftUnderRuns(env: AirlockEnvironment, deps: CanaryDeps, what: string, id: string): Promise<CheckLine> {
  const check = `${what}: nothing left under runs/`;
  const listed = await deps.data.s3.send(
    new ListObjectsV2Command({ Bucket: dataBucketName(env), Prefix: runPrefix(id) }),
  );
  const keys = (listed.Contents ?? []).map((o) => o.Key ?? '');
  return keys.length === 0 ? pass(check, `${runPrefix(id)} is empty`) : fail(check, `left: ${keys.join(', ')}`);
}
