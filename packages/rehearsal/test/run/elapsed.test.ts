import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WorkflowExecution } from '../../src/aws/stepfunctions/sandbox-workflow.js';
import { showElapsed } from '../../src/run/elapsed.js';

describe('showElapsed', () => {
  afterEach(() => vi.useRealTimers());

  it('rewrites one line each second while the launch runs, then erases it and stops', () => {
    vi.useFakeTimers();
    const written: string[] = [];
    const terminal = { write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const execution = { status: 'RUNNING' } as { status: WorkflowExecution['status'] };
    showElapsed(terminal)(execution as WorkflowExecution);
    vi.advanceTimersByTime(2_000);
    expect(written).toEqual([
      '\r\x1b[K  … the sandbox task is running, 1 s',
      '\r\x1b[K  … the sandbox task is running, 2 s',
    ]);
    execution.status = 'SUCCEEDED';
    vi.advanceTimersByTime(3_000);
    expect(written.slice(2)).toEqual(['\r\x1b[K']);
  });
});
