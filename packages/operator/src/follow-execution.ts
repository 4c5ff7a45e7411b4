import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';

export interface FollowOptions {
  /** Time between polls. */
  readonly intervalMs: number;
  /** Called once per state as it completes, in order. */
  readonly onStateExited: (name: string, elapsedMs: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * `METADATA_ONLY` reads the status without the execution's (KMS-encrypted) input, output, error and cause, so a
   * caller without kms:Decrypt on the workflow's key (the canary) can follow a run.
   * @default - ALL_DATA
   */
  readonly includedData?: 'ALL_DATA' | 'METADATA_ONLY';
}

export interface ExecutionEnd {
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  readonly output?: string;
}

/** How `airlock submit` and the canary print a state as it completes. */
export const stateExitedLine = (name: string, elapsedMs: number): string =>
  `  ✓ ${name.padEnd(20)} ${(elapsedMs / 1000).toFixed(1)}s`;

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const isThrottle = (error: unknown) => /Throttl|TooManyRequests/.test((error as Error).name ?? '');

/**
 * Polls an execution's history until it ends, reporting each state as it exits. A throttled poll is retried after
 * a longer pause instead of failing the command: the run goes on regardless.
 */
export async function followExecution(
  sfn: SFNClient,
  executionArn: string,
  options: FollowOptions,
): Promise<ExecutionEnd> {
  const sleep = options.sleep ?? sleepFor;
  let seen = 0;
  let started: number | undefined;
  let backoff = options.intervalMs;
  for (;;) {
    try {
      const events = await allEvents(sfn, executionArn);
      for (const event of events.slice(seen)) {
        started ??= event.timestamp?.getTime();
        const name = event.stateExitedEventDetails?.name;
        if (name) options.onStateExited(name, (event.timestamp?.getTime() ?? 0) - (started ?? 0));
      }
      seen = events.length;
      const execution = await sfn.send(
        new DescribeExecutionCommand({ executionArn, includedData: options.includedData }),
      );
      if (execution.status && execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
        return { status: execution.status, error: execution.error, cause: execution.cause, output: execution.output };
      }
      backoff = options.intervalMs;
    } catch (error) {
      if (!isThrottle(error)) throw error;
      backoff = Math.min(Math.max(backoff * 2, 1), 30_000);
    }
    await sleep(backoff);
  }
}

async function allEvents(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000, includeExecutionData: false }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}
