import { PRICE_TABLE, type PriceTable } from './price-table.js';

/** What one run used, as the rehearsal counted it. */
export interface RunUsage {
  /** State transitions of the analysis and launch (Standard) workflows. */
  readonly standardTransitions: number;
  /** Each Express execution's duration. */
  readonly expressExecutions: readonly { readonly ms: number }[];
  readonly lambdaInvocations: readonly {
    readonly ms: number;
    readonly memoryMb: number;
    readonly architecture: 'arm64' | 'x86_64';
  }[];
  /** The runner task, from its start to its stop; absent when no task started. */
  readonly fargateTask?: {
    readonly vcpu: number;
    readonly memoryGb: number;
    readonly seconds: number;
    readonly architecture: 'ARM64' | 'X86_64';
  };
  readonly s3: { readonly writes: number; readonly reads: number };
  readonly dynamodb: { readonly writeUnits: number; readonly readUnits: number };
  readonly kmsRequests: number;
}

export interface RunCost {
  /** US dollars by line, in a fixed order. */
  readonly lines: readonly { readonly service: string; readonly usd: number }[];
  readonly totalUsd: number;
}

/** Express bills memory in 64 MB chunks; the rehearsal cannot measure it and assumes the smallest. */
const EXPRESS_MEMORY_GB = 64 / 1024;

/** The run's cost at list prices, split by service, from what the rehearsal counted. */
export function runCost(usage: RunUsage, prices: PriceTable = PRICE_TABLE): RunCost {
  const express = usage.expressExecutions;
  const expressSeconds = express.reduce((sum, e) => sum + Math.ceil(e.ms / 100) / 10, 0);
  const lambdaGbSeconds = (arch: 'arm64' | 'x86_64') =>
    usage.lambdaInvocations
      .filter((i) => i.architecture === arch)
      .reduce((sum, i) => sum + (Math.ceil(i.ms) / 1000) * (i.memoryMb / 1024), 0);
  const task = usage.fargateTask;
  const taskHours = task ? Math.max(60, Math.ceil(task.seconds)) / 3600 : 0;
  const lines = [
    {
      service: 'Step Functions Standard (transitions)',
      usd: usage.standardTransitions * prices.stepFunctions.standardTransition,
    },
    { service: 'Step Functions Express (requests)', usd: express.length * prices.stepFunctions.expressRequest },
    {
      service: 'Step Functions Express (GB-seconds)',
      usd: expressSeconds * EXPRESS_MEMORY_GB * prices.stepFunctions.expressGbSecond,
    },
    { service: 'Lambda (requests)', usd: usage.lambdaInvocations.length * prices.lambda.request },
    {
      service: 'Lambda (GB-seconds)',
      usd:
        lambdaGbSeconds('arm64') * prices.lambda.gbSecond.arm64 +
        lambdaGbSeconds('x86_64') * prices.lambda.gbSecond.x86_64,
    },
    { service: 'Fargate (vCPU)', usd: task ? task.vcpu * taskHours * prices.fargate.vcpuHour[task.architecture] : 0 },
    {
      service: 'Fargate (memory)',
      usd: task ? task.memoryGb * taskHours * prices.fargate.gbHour[task.architecture] : 0,
    },
    { service: 'S3 (requests)', usd: usage.s3.writes * prices.s3.write + usage.s3.reads * prices.s3.read },
    {
      service: 'DynamoDB (on-demand requests)',
      usd: usage.dynamodb.writeUnits * prices.dynamodb.writeUnit + usage.dynamodb.readUnits * prices.dynamodb.readUnit,
    },
    { service: 'KMS (requests)', usd: usage.kmsRequests * prices.kms.request },
  ];
  return { lines, totalUsd: lines.reduce((sum, l) => sum + l.usd, 0) };
}
