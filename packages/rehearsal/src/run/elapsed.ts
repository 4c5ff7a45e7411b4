import type { WorkflowExecution } from '../aws/stepfunctions/sandbox-workflow.js';

/**
 * While a launch execution runs, keeps one line on a terminal saying how long the sandbox has been running,
 * rewritten each second and erased when the launch ends. For a terminal only: a pipe or file gets nothing.
 */
export function showElapsed(terminal: NodeJS.WriteStream): (execution: WorkflowExecution) => void {
  return (execution) => {
    const started = Date.now();
    const ticker = setInterval(() => {
      if (execution.status !== 'RUNNING') {
        clearInterval(ticker);
        terminal.write('\r\x1b[K');
        return;
      }
      terminal.write(`\r\x1b[K  … the sandbox task is running, ${Math.round((Date.now() - started) / 1000)} s`);
    }, 1_000);
    ticker.unref();
  };
}
